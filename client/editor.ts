// The admin rich-text editor (TipTap, MIT). It enhances every
// <textarea data-rich-editor>: the textarea stays in the form (hidden) and
// always holds the editor's HTML, so the form posts the same field with or
// without JavaScript. No eval, no inline script or handlers: it runs under
// the production CSP. The server sanitises whatever arrives, so this file is
// a convenience, not a defence.
//
// Math: an inline atom node stored as
//   <span class="math-inline" data-latex="…">…</span>  (or class="math-display")
// and shown with KaTeX while editing; the server renders it for readers.
// Images: uploaded with fetch to the textarea's data-upload-url (default
// /admin/uploads/image) with the page's CSRF token in X-CSRF-Token.
import { Editor, Node } from '@tiptap/core';
import Image from '@tiptap/extension-image';
import StarterKit from '@tiptap/starter-kit';
import katex from 'katex';

interface MathAttrs {
  latex: string;
  display: boolean;
}

function renderKatex(el: HTMLElement, attrs: MathAttrs): void {
  katex.render(attrs.latex || '\\square', el, { displayMode: attrs.display, throwOnError: false, trust: false, strict: 'ignore' });
}

const MathNode = Node.create({
  name: 'math',
  group: 'inline',
  inline: true,
  atom: true,
  selectable: true,

  addAttributes() {
    return {
      latex: { default: '' },
      display: { default: false },
    };
  },

  parseHTML() {
    return [
      {
        tag: 'span.math-inline',
        getAttrs: (el) => ({ latex: (el as HTMLElement).getAttribute('data-latex') ?? '', display: false }),
      },
      {
        tag: 'span.math-display',
        getAttrs: (el) => ({ latex: (el as HTMLElement).getAttribute('data-latex') ?? '', display: true }),
      },
    ];
  },

  renderHTML({ node }) {
    const { latex, display } = node.attrs as MathAttrs;
    return ['span', { class: display ? 'math-display' : 'math-inline', 'data-latex': latex }, latex];
  },

  addNodeView() {
    return ({ node, editor, getPos }) => {
      const dom = document.createElement('span');
      dom.className = 'editor-math';
      dom.setAttribute('role', 'button');
      dom.setAttribute('tabindex', '0');
      dom.title = 'Edit maths';
      renderKatex(dom, node.attrs as MathAttrs);
      const edit = () => {
        if (!editor.isEditable) return;
        const latex = window.prompt('LaTeX (for example \\frac{1}{2} or x^2+1):', (node.attrs as MathAttrs).latex);
        if (latex === null) return;
        const pos = typeof getPos === 'function' ? getPos() : undefined;
        if (typeof pos !== 'number') return;
        if (latex.trim() === '') {
          editor.chain().focus().deleteRange({ from: pos, to: pos + node.nodeSize }).run();
        } else {
          editor.chain().focus().command(({ tr }) => {
            tr.setNodeMarkup(pos, undefined, { ...node.attrs, latex: latex.trim() });
            return true;
          }).run();
        }
      };
      dom.addEventListener('dblclick', edit);
      dom.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); edit(); } });
      return { dom };
    };
  },
});

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

async function uploadImage(url: string, file: File): Promise<string> {
  const body = new FormData();
  body.append('file', file, file.name);
  const res = await fetch(url, {
    method: 'POST',
    body,
    credentials: 'same-origin',
    headers: { 'X-CSRF-Token': csrfToken(), Accept: 'application/json' },
  });
  let data: { url?: string; error?: string } = {};
  try {
    data = (await res.json()) as typeof data;
  } catch {
    // A non-JSON answer (e.g. a proxy error page): reported below.
  }
  if (!res.ok || !data.url) throw new Error(data.error ?? `The upload failed (HTTP ${res.status}).`);
  return data.url;
}

interface ToolButton {
  label: string;
  title: string;
  run: (editor: Editor) => void;
  active?: (editor: Editor) => boolean;
}

function button(tool: ToolButton, editor: Editor): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'editor-button';
  b.textContent = tool.label;
  b.title = tool.title;
  b.setAttribute('aria-label', tool.title);
  b.addEventListener('mousedown', (e) => e.preventDefault()); // keep the selection
  b.addEventListener('click', () => tool.run(editor));
  return b;
}

function enhance(textarea: HTMLTextAreaElement): void {
  if (textarea.dataset.richEditorReady) return;
  textarea.dataset.richEditorReady = '1';
  const uploadUrl = textarea.dataset.uploadUrl || '/admin/uploads/image';

  const wrapper = document.createElement('div');
  wrapper.className = 'editor';
  const toolbar = document.createElement('div');
  toolbar.className = 'editor-toolbar';
  toolbar.setAttribute('role', 'toolbar');
  toolbar.setAttribute('aria-label', 'Formatting');
  const status = document.createElement('p');
  status.className = 'editor-status hint';
  status.setAttribute('role', 'status');
  const surface = document.createElement('div');
  surface.className = 'editor-surface';
  const fileInput = document.createElement('input');
  fileInput.type = 'file';
  fileInput.accept = 'image/png,image/jpeg,image/gif,image/webp';
  fileInput.hidden = true;

  textarea.insertAdjacentElement('beforebegin', wrapper);
  wrapper.append(toolbar, surface, status, fileInput);
  textarea.hidden = true;

  const label = textarea.id ? document.querySelector<HTMLLabelElement>(`label[for="${CSS.escape(textarea.id)}"]`) : null;

  const editor = new Editor({
    element: surface,
    content: textarea.value,
    extensions: [
      StarterKit.configure({
        heading: { levels: [2, 3, 4] },
        codeBlock: false,
        link: {
          openOnClick: false,
          autolink: true,
          defaultProtocol: 'https',
          protocols: ['http', 'https', 'mailto'],
          HTMLAttributes: { rel: 'noopener noreferrer', target: null },
        },
      }),
      Image.configure({ inline: false, allowBase64: false }),
      MathNode,
    ],
    editorProps: {
      attributes: {
        class: 'content editor-content',
        role: 'textbox',
        'aria-multiline': 'true',
        ...(label ? { 'aria-label': label.textContent ?? 'Content' } : {}),
      },
    },
    onUpdate: ({ editor: e }) => { textarea.value = e.isEmpty ? '' : e.getHTML(); },
  });

  const insertMath = (display: boolean) => {
    const latex = window.prompt(display ? 'Displayed maths, in LaTeX:' : 'Maths, in LaTeX (for example \\frac{1}{2}):', '');
    if (!latex || !latex.trim()) return;
    editor.chain().focus().insertContent({ type: 'math', attrs: { latex: latex.trim(), display } }).run();
  };

  const tools: Array<ToolButton | 'sep'> = [
    { label: 'H2', title: 'Heading', run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run(), active: (e) => e.isActive('heading', { level: 2 }) },
    { label: 'H3', title: 'Subheading', run: (e) => e.chain().focus().toggleHeading({ level: 3 }).run(), active: (e) => e.isActive('heading', { level: 3 }) },
    'sep',
    { label: 'B', title: 'Bold', run: (e) => e.chain().focus().toggleBold().run(), active: (e) => e.isActive('bold') },
    { label: 'I', title: 'Italic', run: (e) => e.chain().focus().toggleItalic().run(), active: (e) => e.isActive('italic') },
    'sep',
    { label: '• List', title: 'Bulleted list', run: (e) => e.chain().focus().toggleBulletList().run(), active: (e) => e.isActive('bulletList') },
    { label: '1. List', title: 'Numbered list', run: (e) => e.chain().focus().toggleOrderedList().run(), active: (e) => e.isActive('orderedList') },
    { label: '❝', title: 'Quotation', run: (e) => e.chain().focus().toggleBlockquote().run(), active: (e) => e.isActive('blockquote') },
    'sep',
    {
      label: 'Link', title: 'Link', active: (e) => e.isActive('link'),
      run: (e) => {
        const current = (e.getAttributes('link').href as string | undefined) ?? 'https://';
        const href = window.prompt('Link address (leave empty to remove the link):', current);
        if (href === null) return;
        if (href.trim() === '') e.chain().focus().extendMarkRange('link').unsetLink().run();
        else e.chain().focus().extendMarkRange('link').setLink({ href: href.trim() }).run();
      },
    },
    { label: 'Image', title: 'Upload an image', run: () => fileInput.click() },
    { label: 'ƒx', title: 'Inline maths (LaTeX)', run: () => insertMath(false) },
    { label: 'ƒx ¶', title: 'Displayed maths (LaTeX)', run: () => insertMath(true) },
    'sep',
    { label: '↶', title: 'Undo', run: (e) => e.chain().focus().undo().run() },
    { label: '↷', title: 'Redo', run: (e) => e.chain().focus().redo().run() },
  ];

  const buttons: Array<[HTMLButtonElement, ToolButton]> = [];
  for (const tool of tools) {
    if (tool === 'sep') {
      const s = document.createElement('span');
      s.className = 'editor-sep';
      toolbar.append(s);
      continue;
    }
    const b = button(tool, editor);
    toolbar.append(b);
    buttons.push([b, tool]);
  }
  const refresh = () => {
    for (const [b, tool] of buttons) {
      if (tool.active) b.setAttribute('aria-pressed', tool.active(editor) ? 'true' : 'false');
    }
  };
  editor.on('selectionUpdate', refresh);
  editor.on('transaction', refresh);

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file) return;
    status.textContent = `Uploading ${file.name}…`;
    try {
      const src = await uploadImage(uploadUrl, file);
      const alt = window.prompt('Describe the image for people who cannot see it (alt text):', '') ?? '';
      editor.chain().focus().setImage({ src, alt }).run();
      status.textContent = `${file.name} uploaded.`;
    } catch (err) {
      status.textContent = (err as Error).message;
    }
  });

  // The form always posts the editor's current HTML.
  textarea.form?.addEventListener('submit', () => { textarea.value = editor.isEmpty ? '' : editor.getHTML(); });
}

for (const el of document.querySelectorAll<HTMLTextAreaElement>('textarea[data-rich-editor]')) enhance(el);
