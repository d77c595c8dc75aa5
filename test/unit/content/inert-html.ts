// Decides whether HTML is inert the way a browser would see it: the HTML is
// parsed with parse5 (the WHATWG parsing algorithm browsers implement), then
// every element and attribute is checked. Mutation-XSS is covered by parsing
// twice: the serialisation of the first parse is parsed and checked again.
import { html as spec, parseFragment, serialize, type DefaultTreeAdapterMap } from 'parse5';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const FORBIDDEN = new Set([
  'script',
  'style',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'form',
  'input',
  'button',
  'select',
  'textarea',
  'base',
  'meta',
  'link',
  'svg',
  'template',
  'portal',
  'isindex',
  'noscript',
  'xmp',
  'plaintext',
  'noembed',
  'noframes',
  'title',
  'video',
  'audio',
  'source',
  'marquee',
  'details',
  'animate',
  'set',
  'use',
  'foreignobject',
  'image',
  'maction',
]);
const URL_ATTRS = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'xlink:href',
  'srcset',
  'background',
  'poster',
  'data',
  'cite',
  'dynsrc',
  'lowsrc',
  'codebase',
  'to',
  'from',
  'values',
]);
const IMAGE_SRC = /^\/uploads\/[a-f0-9]{32}\.(?:png|jpg|gif|webp)$/;
const PDF_SRC = /^\/uploads\/[a-f0-9]{32}\.pdf$/;
const SAFE_KATEX_STYLE = /^(?:\s*[a-z-]+\s*:\s*[-a-z0-9.#%\s]+;?)*\s*$/i;

function isElement(n: Node): n is Element {
  return 'tagName' in n;
}

function children(n: Node): Node[] {
  const kids = 'childNodes' in n ? [...(n.childNodes as Node[])] : [];
  if (isElement(n) && n.tagName === 'template')
    kids.push(...(n as unknown as { content: { childNodes: Node[] } }).content.childNodes);
  return kids;
}

function classes(el: Element): string[] {
  return (el.attrs.find((a) => a.name === 'class')?.value ?? '').split(/\s+/);
}

function dangerousUrl(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- browsers ignore control characters in URLs, so must this check
  const v = value.replace(/[\u0000-\u0020\u007f]+/g, '').toLowerCase();
  return /^(?:javascript|vbscript|data|file|livescript|mocha):/.test(v) || v.startsWith('//') || v.startsWith('/\\');
}

/** Problems found in a fragment, empty when it is inert. */
export function findProblems(html: string): string[] {
  const problems: string[] = [];
  const walk = (node: Node, inKatex: boolean, inMathml: boolean) => {
    if (isElement(node)) {
      const tag = node.tagName.toLowerCase();
      const katexRoot = inKatex || classes(node).includes('katex') || classes(node).includes('katex-display');
      const mathml = inMathml || (katexRoot && tag === 'math');
      if (FORBIDDEN.has(tag)) problems.push(`<${tag}> element`);
      if (tag === 'math' && !(katexRoot && node.namespaceURI === spec.NS.MATHML))
        problems.push('<math> outside KaTeX output');
      if (tag === 'iframe') {
        const src = node.attrs.find((a) => a.name === 'src')?.value ?? '';
        if (!PDF_SRC.test(src)) problems.push(`<iframe src="${src}">`);
      }
      if (tag === 'img') {
        const src = node.attrs.find((a) => a.name === 'src')?.value ?? '';
        if (!IMAGE_SRC.test(src)) problems.push(`<img src="${src}">`);
      }
      for (const attr of node.attrs) {
        const name = (attr.prefix ? `${attr.prefix}:${attr.name}` : attr.name).toLowerCase();
        if (name.startsWith('on')) problems.push(`${name}= handler on <${tag}>`);
        if (name === 'srcdoc' || name === 'formaction' || name === 'action') problems.push(`${name}= on <${tag}>`);
        if (URL_ATTRS.has(name) && dangerousUrl(attr.value)) problems.push(`${name}="${attr.value}" on <${tag}>`);
        if (name === 'style') {
          if (!katexRoot) problems.push(`style= on <${tag}> outside KaTeX output`);
          else if (
            !SAFE_KATEX_STYLE.test(attr.value) ||
            /url\(|expression|javascript|@import|behavio/i.test(attr.value)
          ) {
            problems.push(`unsafe KaTeX style "${attr.value}"`);
          }
        }
        if (name === 'target' && attr.value !== '_blank') problems.push(`target="${attr.value}"`);
        if (mathml && (name === 'href' || name === 'xlink:href' || name === 'src'))
          problems.push(`${name} inside MathML`);
      }
      if (tag === 'a' && node.attrs.some((a) => a.name === 'href')) {
        const rel = node.attrs.find((a) => a.name === 'rel')?.value.split(/\s+/) ?? [];
        if (!rel.includes('noopener') || !rel.includes('noreferrer'))
          problems.push('<a href> without rel="noopener noreferrer"');
      }
      for (const c of children(node)) walk(c, katexRoot, mathml);
      return;
    }
    for (const c of children(node)) walk(c, inKatex, inMathml);
  };
  const first = parseFragment(html);
  walk(first, false, false);
  // Parse the browser's own serialisation again: what a later innerHTML round trip would build.
  const again = parseFragment(serialize(first));
  walk(again, false, false);
  return [...new Set(problems)];
}

/** The vectors of test/fixtures/xss-vectors.txt. */
export async function xssVectors(): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL('../../fixtures/xss-vectors.txt', import.meta.url), 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}
