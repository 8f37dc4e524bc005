/**
 * Splits a fence's meta string into words. A word is `name`, `name=value` or
 * `name="value with spaces"` (backslash escapes `"` and `\` inside quotes).
 *
 *   ```sh run id=pid-ns timeout=5s claim="PID 1 is \"init\""
 *   -> [{name:'run'}, {name:'id', value:'pid-ns'}, {name:'timeout', value:'5s'},
 *       {name:'claim', value:'PID 1 is "init"'}]
 */
export interface MetaWord {
  name: string;
  value?: string;
}

export function splitMeta(meta: string): MetaWord[] {
  const words: MetaWord[] = [];
  let i = 0;
  const n = meta.length;
  while (i < n) {
    while (i < n && /\s/.test(meta[i] as string)) i++;
    if (i >= n) break;
    let name = '';
    while (i < n && !/[\s=]/.test(meta[i] as string)) name += meta[i++];
    if (meta[i] !== '=') {
      words.push({ name });
      continue;
    }
    i++;
    let value = '';
    if (meta[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = meta[i++] as string;
        if (c === '\\' && i < n) value += meta[i++];
        else if (c === '"') {
          closed = true;
          break;
        } else value += c;
      }
      if (!closed) throw new SyntaxError(`the quoted value of "${name}" has no closing quote`);
    } else {
      while (i < n && !/\s/.test(meta[i] as string)) value += meta[i++];
    }
    words.push({ name, value });
  }
  return words;
}
