import { findItem, itemIndex, walkItems } from './manifest-items';
import type { ManifestItem } from './manifest.types';

const item = (identifier: string, children: ManifestItem[] = [], title = identifier): ManifestItem => ({ identifier, title, isVisible: true, children });

describe('manifest-items', () => {
  const tree = [item('MODULE-1', [item('LESSON-1'), item('UNIT', [item('DEEP')])]), item('MODULE-2'), item('LESSON-1', [], 'second with the same id')];

  it('should walk parents before their children, in document order, with each depth', () => {
    expect([...walkItems(tree)].map(({ item: i, depth }) => `${i.identifier}@${depth}`)).toEqual([
      'MODULE-1@0',
      'LESSON-1@1',
      'UNIT@1',
      'DEEP@2',
      'MODULE-2@0',
      'LESSON-1@0',
    ]);
  });

  it('should find an item at any depth, the first one when an identifier repeats, and nothing for an unknown one', () => {
    expect(findItem(tree, 'DEEP')?.identifier).toBe('DEEP');
    expect(findItem(tree, 'LESSON-1')?.title).toBe('LESSON-1');
    expect(findItem(tree, 'NOPE')).toBeUndefined();
    const index = itemIndex(tree);
    expect(index.get('DEEP')?.depth).toBe(2);
    expect(index.get('LESSON-1')).toMatchObject({ depth: 1, item: { title: 'LESSON-1' } });
    expect(index.size).toBe(5);
  });
});
