/**
 * What the graph draws is what the model is: Constant-node weights folded into their consumers
 * (and counted), a switch to see them as nodes, a wide graph's first view on its input, and a
 * keyboard walk. The models are built here from the sample and from a generated wide graph.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { readModel } from '../lib/formats/registry';
import { writeOnnx } from '../lib/formats/onnx/write';
import { writeTflite } from '../lib/formats/tflite/write';
import type { Node, Tensor } from '../lib/ir/types';
import { onnxToTfl } from '../lib/transforms/onnx-to-tfl/index';
import { aInt, buildOnnx } from '../lib/transforms/onnx-to-tfl/testdata/onnx-build';
import { buildScopedOnnx } from './support/onnx-build';
import { openStudio, pickFiles, ROOT } from './support/studio';

const SAMPLE = path.join(ROOT, 'public', 'models', 'fashion-mnist-cnn.onnx');
const file = (name: string, bytes: Uint8Array) => [{ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) }];
const parameters = async (page: Page) => Number(await page.getByTestId('summary-parameters').getAttribute('title'));

/** The sample with every initializer moved into a Constant node, as PP-OCR-style exports write weights. */
async function constantWeights(): Promise<{ bytes: Uint8Array; count: number }> {
  const model = await readModel([{ name: 'f.onnx', bytes: new Uint8Array(readFileSync(SAMPLE)) }]);
  const g = model.graphs[0]!;
  const weights = [...g.tensors.values()].filter((t) => t.data);
  const tensors = new Map(g.tensors);
  const nodes: Node[] = weights.map((t, i) => {
    tensors.set(t.name, { name: t.name, dtype: t.dtype, shape: t.shape } as Tensor);
    return { name: `Constant_${i}`, op: 'onnx.Constant', inputs: [], outputs: [t.name], attrs: { value: { kind: 'tensor', value: { ...t } } } };
  });
  const bytes = writeOnnx({ ...model, graphs: [{ ...g, inputs: g.inputs.filter((n) => !tensors.get(n)?.data), nodes: [...nodes, ...g.nodes], tensors }] });
  return { bytes, count: nodes.length };
}

test('Constant-node weights are drawn folded into their consumers, counted, and one switch shows them', async ({ page }) => {
  await openStudio(page);
  // Ops the view draws (React Flow mounts only those in the viewport, so DOM counts would lie).
  const drawn = page.getByTestId('graph-canvas');
  const sampleOps = Number(await drawn.getAttribute('data-visible-ops'));
  const sampleParams = await parameters(page);
  const sampleNodes = Number(await page.getByTestId('summary-nodes').textContent());
  expect(sampleParams).toBeGreaterThan(100_000);
  const { bytes, count } = await constantWeights();
  await pickFiles(page, file('constant-weights.onnx', bytes));
  // The file's own node count (Constants included), as `inspect --json` reports it.
  await expect(page.getByTestId('summary-nodes')).toHaveText(String(sampleNodes + count));
  expect(await parameters(page)).toBe(sampleParams);
  await expect(drawn).toHaveAttribute('data-visible-ops', String(sampleOps));
  await expect(page.locator('[data-testid="op-node"][data-name="/conv1/Conv"] [data-testid="op-weights"]')).toContainText('x');
  // The conv's inspector lists its weight with statistics and the node that holds it.
  await page.locator('[data-testid="op-node"][data-name="/conv1/Conv"]').click();
  await expect(page.getByTestId('held-by').first()).toContainText('Constant');
  await expect(page.getByTestId('weight-stats').first()).toBeVisible();
  // The switch draws every Constant as a node; off again, they fold back.
  await page.getByTestId('show-constants').check();
  await expect(drawn).toHaveAttribute('data-visible-ops', String(sampleOps + count));
  await expect(page.locator('[data-testid="op-node"][title*="onnx.Constant"]').first()).toBeAttached();
  await page.getByTestId('show-constants').uncheck();
  await expect(drawn).toHaveAttribute('data-visible-ops', String(sampleOps));
});

/** 48 parallel branches between one input and one Concat: thousands of pixels wide. */
async function wideTflite(): Promise<Uint8Array> {
  const branches = Array.from({ length: 48 }, (_, i) => i);
  const onnx = buildOnnx({
    inputs: [{ name: 'image', shape: [1, 8] }],
    outputs: [{ name: 'y' }],
    nodes: [
      ...branches.flatMap((i) => [
        { op: 'Sigmoid', inputs: ['image'], outputs: [`s${i}`], name: `branch${i}_sigmoid` },
        { op: 'Mul', inputs: [`s${i}`, 'image'], outputs: [`m${i}`], name: `branch${i}_mul` },
      ]),
      { op: 'Concat', inputs: branches.map((i) => `m${i}`), outputs: ['y'], attrs: [aInt('axis', 1)], name: 'concat' },
    ],
  });
  const { model, report } = onnxToTfl(await readModel([{ name: 'wide.onnx', bytes: onnx }]), {});
  expect(report.unsupported).toEqual([]);
  return writeTflite(model);
}

test('a wide TFLite opens with its input in view at a readable zoom', async ({ page }) => {
  await openStudio(page);
  await pickFiles(page, file('wide.tflite', await wideTflite()));
  await expect(page.getByTestId('summary-format')).toHaveText('TFLite');
  const canvas = (await page.getByTestId('graph-canvas').boundingBox())!;
  const input = page.locator('[data-testid="input-node"]').first();
  await expect(input).toBeVisible();
  await expect.poll(async () => {
    const b = await input.boundingBox();
    return !!b && b.x >= canvas.x && b.x + b.width <= canvas.x + canvas.width && b.y >= canvas.y && b.y + b.height <= canvas.y + canvas.height;
  }, { timeout: 10_000 }).toBe(true);
  // Readable: an op's label is drawn at 70 % or more of its size.
  const zoom = await page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrix(getComputedStyle(el).transform).a);
  expect(zoom).toBeGreaterThanOrEqual(0.69);
});

test('arrow keys walk producer and consumer, Enter opens a group, / focuses search', async ({ page }) => {
  await openStudio(page);
  await page.locator('[data-testid="op-node"][data-name="/conv1/Conv"]').click();
  await expect(page.getByTestId('inspector-op')).toHaveText('Conv');
  await page.keyboard.press('ArrowDown');
  await expect(page.locator('[data-testid="op-node"].is-selected')).not.toHaveAttribute('data-name', '/conv1/Conv');
  const next = await page.locator('[data-testid="op-node"].is-selected').getAttribute('data-name');
  await expect(page.getByTestId('inspector')).toContainText(next!);
  await page.keyboard.press('ArrowUp');
  await expect(page.locator('[data-testid="op-node"].is-selected')).toHaveAttribute('data-name', '/conv1/Conv');
  await page.keyboard.press('ArrowUp');
  await expect(page.locator('[data-testid="input-node"].is-focus')).toHaveCount(1);

  // A grouped graph: close block1, walk down onto it from block0's last op, open it with Enter;
  // the walk goes on inside it.
  await pickFiles(page, file('scoped.onnx', buildScopedOnnx(1000)));
  const block1 = page.locator('[data-testid="group-node"][data-group="g:stage0/block1"]');
  await block1.getByRole('button', { name: /Collapse/ }).click();
  await expect(block1).toHaveAttribute('data-expanded', 'false');
  // Selected through search (the node may be out of view after the collapse fitted block1).
  await page.getByTestId('search').fill('/stage0/block0/Residual');
  await page.getByTestId('search-hit').first().click();
  await expect(page.locator('[data-testid="op-node"].is-selected')).toHaveAttribute('data-name', '/stage0/block0/Residual');
  await page.keyboard.press('ArrowDown');
  await expect(block1).toHaveClass(/is-focus/);
  await page.keyboard.press('Enter');
  await expect(block1).toHaveAttribute('data-expanded', 'true');
  await expect(page.locator('[data-testid="op-node"].is-selected')).toHaveAttribute('data-name', /^\/stage0\/block1\//);

  await page.keyboard.press('/');
  await expect(page.getByTestId('search')).toBeFocused();
});
