import { describe, expect, it } from 'vitest';
import { folderLabels } from './eval-data';

describe('folderLabels (a folder picked in the browser)', () => {
  it('labels by the sub-folder below the picked folder, classes sorted by code point', () => {
    expect(folderLabels(['data/dog/1.png', 'data/cat/2.png', 'data/dog/3.jpg'])).toEqual({ classes: ['cat', 'dog'], labels: [1, 0, 1] });
  });
  it('is unlabelled when images sit at the top, deeper, or in one class only', () => {
    expect(folderLabels(['data/1.png', 'data/2.png'])).toBeUndefined();
    expect(folderLabels(['data/a/b/1.png', 'data/a/2.png'])).toBeUndefined();
    expect(folderLabels(['data/cat/1.png', 'data/cat/2.png'])).toBeUndefined();
  });
});
