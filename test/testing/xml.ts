// A tiny XML well-formedness checker for the tests of `kvcmd test --junit`: a character scanner
// (no regular expressions, no dependency) that builds the element tree and throws on anything
// XML 1.0 forbids that a report could plausibly contain: unbalanced or crossed tags, unquoted or
// duplicate attributes, a raw '<' or '&' in text or attributes, unknown entities, a second root,
// text outside the root, characters XML cannot hold.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isNameChar(c: string, first: boolean): boolean {
  const code = c.charCodeAt(0);
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || c === '_' || c === ':' || code > 127;
  if (first) return letter;
  return letter || (code >= 48 && code <= 57) || c === '-' || c === '.';
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function allowedChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code > 0xffff;
}

export function parseXml(src: string): XmlElement {
  for (const ch of src) if (!allowedChar(ch.codePointAt(0)!)) throw new Error(`character U+${ch.codePointAt(0)!.toString(16)} is not allowed in XML`);
  let i = 0;
  const fail = (why: string): never => {
    const line = src.slice(0, i).split('\n').length;
    throw new Error(`XML not well-formed at line ${line}: ${why}`);
  };
  const expect = (s: string): void => {
    if (!src.startsWith(s, i)) fail(`expected '${s}'`);
    i += s.length;
  };
  const skipSpace = (): void => {
    while (i < src.length && isSpace(src[i])) i++;
  };
  const name = (): string => {
    const start = i;
    if (i >= src.length || !isNameChar(src[i], true)) fail('expected a name');
    while (i < src.length && isNameChar(src[i], false)) i++;
    return src.slice(start, i);
  };
  /** Decodes character data up to `stop` (exclusive), checking every '&' and refusing '<'. */
  const chars = (stop: string): string => {
    let out = '';
    while (i < src.length && src[i] !== stop) {
      const c = src[i];
      if (c === '<') fail("raw '<'");
      if (c === '&') {
        const end = src.indexOf(';', i);
        if (end === -1) fail("'&' without ';'");
        const ref = src.slice(i + 1, end);
        if (ref.startsWith('#x')) {
          const hex = ref.slice(2);
          if (hex === '' || [...hex].some((h) => !'0123456789abcdefABCDEF'.includes(h))) fail(`bad reference &${ref};`);
          out += String.fromCodePoint(parseInt(hex, 16));
        } else if (ref.startsWith('#')) {
          const dec = ref.slice(1);
          if (dec === '' || [...dec].some((d) => !'0123456789'.includes(d))) fail(`bad reference &${ref};`);
          const code = Number(dec);
          if (!allowedChar(code)) fail(`reference to a character XML cannot hold: &${ref};`);
          out += String.fromCodePoint(code);
        } else if (ref in ENTITIES) {
          out += ENTITIES[ref];
        } else {
          fail(`unknown entity &${ref};`);
        }
        i = end + 1;
      } else {
        out += c;
        i++;
      }
    }
    return out;
  };
  const misc = (): void => {
    for (;;) {
      skipSpace();
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end === -1) fail('unclosed comment');
        i = end + 3;
      } else if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i + 2);
        if (end === -1) fail('unclosed processing instruction');
        i = end + 2;
      } else {
        return;
      }
    }
  };
  const element = (): XmlElement => {
    expect('<');
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      skipSpace();
      if (src.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('expected whitespace before an attribute');
      const attr = name();
      skipSpace();
      expect('=');
      skipSpace();
      const quote = src[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} is not quoted`);
      i++;
      const value = chars(quote);
      expect(quote);
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      el.attrs[attr] = value;
    }
    for (;;) {
      if (i >= src.length) fail(`<${el.name}> is not closed`);
      if (src.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        expect('>');
        return el;
      }
      if (src.startsWith('<!--', i) || src.startsWith('<?', i)) {
        misc();
        continue;
      }
      if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i);
        if (end === -1) fail('unclosed CDATA');
        el.text += src.slice(i + 9, end);
        i = end + 3;
        continue;
      }
      if (src[i] === '<') {
        el.children.push(element());
        continue;
      }
      const start = i;
      const text = chars('<');
      if (src.slice(start, i).includes(']]>')) fail("']]>' in text");
      el.text += text;
    }
  };
  if (src.charCodeAt(0) === 0xfeff) i = 1;
  misc();
  const root = element();
  misc();
  if (i !== src.length) fail('content after the root element');
  return root;
}

/** Every element named `name` in the tree, depth first. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = el.name === name ? [el] : [];
  for (const c of el.children) out.push(...findAll(c, name));
  return out;
}
