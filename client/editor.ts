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
// Typing or pasting $…$, \(…\), $$…$$ or \[…\] makes the same node as the ƒx
// buttons, as in the maths tools teachers already use.
// Images: uploaded with fetch to the textarea's data-upload-url (default
// /admin/uploads/image) with the page's CSRF token in X-CSRF-Token.
import { Editor, InputRule, Node, PasteRule, type PasteRuleMatch } from '@tiptap/core';
import Image from '@tiptap/extension-image';
import StarterKit from '@tiptap/starter-kit';
import katex from 'katex';

interface MathAttrs {
  latex: string;
  display: boolean;
}

// MathML, as the server renders it for readers: what the author sees is what is published.
// LaTeX that does not parse shows as its source, as on the server (KaTeX's own
// error markup sets a style attribute, which the CSP refuses).
function renderKatex(el: HTMLElement, attrs: MathAttrs): void {
  const latex = attrs.latex || '\\square';
  try {
    katex.render(latex, el, {
      displayMode: attrs.display,
      throwOnError: true,
      trust: false,
      strict: 'ignore',
      output: 'mathml',
    });
  } catch {
    const code = document.createElement('code');
    code.className = 'math-error';
    code.textContent = latex;
    el.replaceChildren(code);
  }
}

// A `$` opens maths only when not escaped, not doubled and not glued to a word
// ("it costs $5 or $6" stays text), and the maths neither starts nor ends with a space.
const INLINE_DOLLAR = String.raw`(?<![\\$\w])\$([^\s$](?:[^$\n]*[^\s$\\])?)\$`;
const DISPLAY_DOLLAR = String.raw`\$\$([^$]+)\$\$`;
const INLINE_PAREN = String.raw`\\\(((?:(?!\\\()[^\n])+?)\\\)`;
const DISPLAY_BRACKET = String.raw`\\\[((?:(?!\\\[)[^\n])+?)\\\]`;

/** Typed delimiters, longest first: `$$x$` must not close as inline `$x$`. */
const TYPED_MATH: Array<[RegExp, boolean]> = [
  [new RegExp(`${DISPLAY_DOLLAR}$`), true],
  [new RegExp(`${DISPLAY_BRACKET}$`), true],
  [new RegExp(`${INLINE_PAREN}$`), false],
  [new RegExp(`${INLINE_DOLLAR}$`), false],
];
/** Every delimiter in one pass over pasted text, so ranges never overlap. */
const PASTED_MATH = new RegExp(`${DISPLAY_DOLLAR}|${DISPLAY_BRACKET}|${INLINE_PAREN}|${INLINE_DOLLAR}`, 'g');

function findPastedMath(text: string): PasteRuleMatch[] {
  const found: PasteRuleMatch[] = [];
  for (const m of text.matchAll(PASTED_MATH)) {
    const display = m[1] !== undefined || m[2] !== undefined;
    const latex = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').trim();
    if (latex) found.push({ index: m.index, text: m[0], data: { latex, display } });
  }
  return found;
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
        getAttrs: (el) => ({ latex: el.getAttribute('data-latex') ?? '', display: false }),
      },
      {
        tag: 'span.math-display',
        getAttrs: (el) => ({ latex: el.getAttribute('data-latex') ?? '', display: true }),
      },
    ];
  },

  renderHTML({ node }) {
    const { latex, display } = node.attrs as MathAttrs;
    return ['span', { class: display ? 'math-display' : 'math-inline', 'data-latex': latex }, latex];
  },

  addInputRules() {
    return TYPED_MATH.map(
      ([find, display]) =>
        new InputRule({
          find,
          handler: ({ state, range, match }) => {
            const latex = (match[1] ?? '').trim();
            if (!latex) return null;
            state.tr.replaceWith(range.from, range.to, this.type.create({ latex, display }));
          },
        }),
    );
  },

  addPasteRules() {
    return [
      new PasteRule({
        find: findPastedMath,
        handler: ({ state, range, match }) => {
          const { latex, display } = match.data as MathAttrs;
          state.tr.replaceWith(range.from, range.to, this.type.create({ latex, display }));
        },
      }),
    ];
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
        const panel = panels.get(editor);
        if (!editor.isEditable || !panel) return;
        panel.open({
          label: 'LaTeX (empty to remove)',
          value: (node.attrs as MathAttrs).latex,
          action: 'Update',
          math: true,
          close: () => editor.commands.focus(),
          apply: (value) => {
            const latex = value.trim();
            const pos = typeof getPos === 'function' ? getPos() : undefined;
            if (typeof pos !== 'number') return;
            if (latex === '') {
              editor
                .chain()
                .focus()
                .deleteRange({ from: pos, to: pos + node.nodeSize })
                .run();
            } else {
              editor
                .chain()
                .focus()
                .command(({ tr }) => {
                  tr.setNodeMarkup(pos, undefined, { ...node.attrs, latex });
                  return true;
                })
                .run();
            }
          },
        });
      };
      dom.addEventListener('click', edit);
      dom.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          edit();
        }
      });
      return { dom };
    };
  },
});

/**
 * A small inline form under the toolbar (link address, LaTeX, alt text).
 * Used instead of window.prompt: no dialogs, labelled fields, keyboard friendly.
 */
class Panel {
  readonly el = document.createElement('div');
  private readonly label = document.createElement('label');
  private readonly input = document.createElement('input');
  private readonly preview = document.createElement('span');
  private readonly ok = document.createElement('button');
  private readonly cancel = document.createElement('button');
  private onApply: ((value: string) => void) | null = null;
  private onClose: (() => void) | null = null;

  constructor(id: string) {
    this.el.className = 'editor-panel';
    this.el.hidden = true;
    this.input.type = 'text';
    this.input.id = id;
    this.input.autocomplete = 'off';
    this.input.spellcheck = false;
    this.label.htmlFor = id;
    this.preview.className = 'editor-preview';
    this.preview.setAttribute('aria-live', 'polite');
    this.ok.type = 'button';
    this.ok.className = 'small';
    this.cancel.type = 'button';
    this.cancel.className = 'small secondary';
    this.cancel.textContent = 'Cancel';
    this.el.append(this.label, this.input, this.preview, this.ok, this.cancel);
    this.ok.addEventListener('click', () => this.apply());
    this.cancel.addEventListener('click', () => this.close());
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.apply();
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
      }
    });
  }

  open(opts: {
    label: string;
    value: string;
    action: string;
    math?: boolean;
    apply: (value: string) => void;
    close: () => void;
  }): void {
    this.label.textContent = opts.label;
    this.input.value = opts.value;
    this.ok.textContent = opts.action;
    this.onApply = opts.apply;
    this.onClose = opts.close;
    const showPreview = () => {
      if (!opts.math) {
        this.preview.replaceChildren();
        return;
      }
      renderKatex(this.preview, { latex: this.input.value, display: false });
    };
    this.input.oninput = showPreview;
    showPreview();
    this.el.hidden = false;
    this.input.focus();
    this.input.select();
  }

  private apply(): void {
    const fn = this.onApply;
    const value = this.input.value;
    this.hide();
    fn?.(value);
  }

  close(): void {
    const fn = this.onClose;
    this.hide();
    fn?.();
  }

  private hide(): void {
    this.el.hidden = true;
    this.onApply = null;
    this.onClose = null;
  }
}

/** The panel of the editor that holds a given ProseMirror view. */
const panels = new WeakMap<Editor, Panel>();

// Only the platform's own uploads, as the server's allowlist says (the server
// cleans the content anyway; this keeps the editor from even loading others).
const UPLOADED_IMAGE = /^\/uploads\/[a-f0-9]{32}\.(?:png|jpg|gif|webp)$/;
const UploadedImage = Image.extend({
  parseHTML() {
    return [{ tag: 'img[src]', getAttrs: (el) => (UPLOADED_IMAGE.test(el.getAttribute('src') ?? '') ? null : false) }];
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

  const panel = new Panel(`${textarea.id || textarea.name}-editor-input`);

  textarea.insertAdjacentElement('beforebegin', wrapper);
  wrapper.append(toolbar, panel.el, surface, status, fileInput);
  textarea.hidden = true;

  const label = textarea.id
    ? document.querySelector<HTMLLabelElement>(`label[for="${CSS.escape(textarea.id)}"]`)
    : null;

  const editor = new Editor({
    element: surface,
    content: textarea.value,
    // TipTap's base styles are in site.css: an injected <style> element is refused by the CSP.
    injectCSS: false,
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
      UploadedImage.configure({ inline: false, allowBase64: false }),
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
    onUpdate: ({ editor: e }) => {
      textarea.value = e.isEmpty ? '' : e.getHTML();
    },
  });
  panels.set(editor, panel);

  const insertMath = (display: boolean) => {
    panel.open({
      label: display ? 'Displayed maths in LaTeX' : 'Maths in LaTeX, e.g. \\frac{1}{2}',
      value: '',
      action: 'Insert',
      math: true,
      close: () => editor.commands.focus(),
      apply: (value) => {
        const latex = value.trim();
        if (latex) editor.chain().focus().insertContent({ type: 'math', attrs: { latex, display } }).run();
        else editor.commands.focus();
      },
    });
  };

  const tools: Array<ToolButton | 'sep'> = [
    {
      label: 'H2',
      title: 'Heading',
      run: (e) => e.chain().focus().toggleHeading({ level: 2 }).run(),
      active: (e) => e.isActive('heading', { level: 2 }),
    },
    {
      label: 'H3',
      title: 'Subheading',
      run: (e) => e.chain().focus().toggleHeading({ level: 3 }).run(),
      active: (e) => e.isActive('heading', { level: 3 }),
    },
    'sep',
    { label: 'B', title: 'Bold', run: (e) => e.chain().focus().toggleBold().run(), active: (e) => e.isActive('bold') },
    {
      label: 'I',
      title: 'Italic',
      run: (e) => e.chain().focus().toggleItalic().run(),
      active: (e) => e.isActive('italic'),
    },
    'sep',
    {
      label: '• List',
      title: 'Bulleted list',
      run: (e) => e.chain().focus().toggleBulletList().run(),
      active: (e) => e.isActive('bulletList'),
    },
    {
      label: '1. List',
      title: 'Numbered list',
      run: (e) => e.chain().focus().toggleOrderedList().run(),
      active: (e) => e.isActive('orderedList'),
    },
    {
      label: '❝',
      title: 'Quotation',
      run: (e) => e.chain().focus().toggleBlockquote().run(),
      active: (e) => e.isActive('blockquote'),
    },
    'sep',
    {
      label: 'Link',
      title: 'Link',
      active: (e) => e.isActive('link'),
      run: (e) => {
        const current = (e.getAttributes('link').href as string | undefined) ?? 'https://';
        panel.open({
          label: 'Link address (empty to remove the link)',
          value: current,
          action: 'Apply',
          close: () => e.commands.focus(),
          apply: (value) => {
            const href = value.trim();
            if (href === '' || href === 'https://') e.chain().focus().extendMarkRange('link').unsetLink().run();
            else e.chain().focus().extendMarkRange('link').setLink({ href }).run();
          },
        });
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
      status.textContent = `${file.name} uploaded. Describe it for people who cannot see it, then press Insert.`;
      panel.open({
        label: 'Image description (alt text)',
        value: '',
        action: 'Insert',
        close: () => {
          editor.chain().focus().setImage({ src, alt: '' }).run();
          status.textContent = `${file.name} inserted.`;
        },
        apply: (alt) => {
          editor.chain().focus().setImage({ src, alt: alt.trim() }).run();
          status.textContent = `${file.name} inserted.`;
        },
      });
    } catch (err) {
      status.textContent = (err as Error).message;
    }
  });

  // The form always posts the editor's current HTML.
  textarea.form?.addEventListener('submit', () => {
    textarea.value = editor.isEmpty ? '' : editor.getHTML();
  });
}

for (const el of document.querySelectorAll<HTMLTextAreaElement>('textarea[data-rich-editor]')) enhance(el);
