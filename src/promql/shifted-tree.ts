import { Tree, TreeBuffer } from '@lezer/common';

/**
 * A syntax tree moved onto a text whose string literals have other lengths: every node keeps its type and
 * place in the tree, and its start and end go through `at`, which maps an offset in the old text to the same
 * point in the new one. Only offsets at token boundaries are mapped, so `at` need not be defined inside a
 * literal.
 */
export function shiftedTree(tree: Tree, at: (offset: number) => number): Tree {
  return shiftTree(tree, 0, at);
}

function shiftTree(tree: Tree, start: number, at: (offset: number) => number): Tree {
  const newStart = at(start);
  const children = tree.children.map((child, i) => {
    const childStart = start + tree.positions[i]!;
    return child instanceof TreeBuffer ? shiftBuffer(child, childStart, at) : shiftTree(child, childStart, at);
  });
  const positions = tree.positions.map((p) => at(start + p) - newStart);
  return new Tree(tree.type, children, positions, at(start + tree.length) - newStart);
}

/** A buffer holds (type, from, to, end index) per node, offsets relative to the buffer's start. */
function shiftBuffer(buffer: TreeBuffer, start: number, at: (offset: number) => number): TreeBuffer {
  const newStart = at(start);
  const nodes = buffer.buffer.slice();
  for (let i = 0; i < nodes.length; i += 4) {
    nodes[i + 1] = at(start + nodes[i + 1]!) - newStart;
    nodes[i + 2] = at(start + nodes[i + 2]!) - newStart;
  }
  return new TreeBuffer(nodes, at(start + buffer.length) - newStart, buffer.set);
}
