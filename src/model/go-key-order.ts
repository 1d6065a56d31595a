/**
 * gopkg.in/yaml.v2's order of map keys, which Sloth's output follows: generators order labels this way,
 * and emit's yaml.v2 writer orders the keys of every map it writes.
 */

const isLetter = (c: string): boolean => (c < '\x80' ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') : /\p{L}/u.test(c));
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** yaml.v2's `keyList.Less` for string keys: non-letters before letters, digit runs compared as numbers. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]! < br[i]!;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]! < br[i]!;
  }
  return ar.length < br.length;
}

/**
 * Orders already worked out, by the key list as given: generated maps repeat a few key sets (the labels
 * of every SLO's rules) thousands of times. Bounded, so distinct key sets without end cannot grow it.
 */
const sortedKeyLists = new Map<string, readonly string[]>();
const SORTED_KEY_LISTS_LIMIT = 4096;

/** `keys` in yaml.v2 order; the list is shared with other callers, so it is never to be changed. */
export function goYamlSortedKeys(keys: readonly string[]): readonly string[] {
  const id = JSON.stringify(keys);
  let sorted = sortedKeyLists.get(id);
  if (!sorted) {
    sorted = [...keys].sort((a, b) => (goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0));
    if (sortedKeyLists.size < SORTED_KEY_LISTS_LIMIT) sortedKeyLists.set(id, sorted);
  }
  return sorted;
}

/** A record with its keys in yaml.v2 order. */
export function goSorted(record: Record<string, string>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of goYamlSortedKeys(Object.keys(record))) sorted[key] = record[key]!;
  return sorted;
}
