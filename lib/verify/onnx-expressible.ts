/**
 * Which ONNX ops TFLite can express, as builtins or a short exact composition of builtins (float
 * path, static shapes): the goal's denominator in docs/op-coverage.md. An op missing here has a
 * reason in NOT_EXPRESSIBLE; a converter that lowers it anyway only gains.
 */

/** Op -> why TFLite cannot express it (shown in the coverage report). */
export const NOT_EXPRESSIBLE: Record<string, string> = {
  NonZero: 'output shape depends on the input values',
  Unique: 'output shape depends on the input values',
  Compress: 'output shape depends on the condition values',
  NonMaxSuppression: 'output shape depends on the input values (NON_MAX_SUPPRESSION_V5 pads to a fixed size instead)',
  BlackmanWindow: 'output shape is the value of the input',
  HammingWindow: 'output shape is the value of the input',
  HannWindow: 'output shape is the value of the input',
  MelWeightMatrix: 'output shape is the value of the inputs',
  Bernoulli: 'random: no reference output to match',
  RandomUniformLike: 'random: no reference output to match',
  RandomNormalLike: 'random: no reference output to match',
  RandomUniform: 'random: no reference output to match',
  RandomNormal: 'random: no reference output to match',
  Multinomial: 'random: no reference output to match',
  StringNormalizer: 'string tensors',
  TfIdfVectorizer: 'string tensors',
  RegexFullMatch: 'string tensors',
  StringConcat: 'string tensors',
  StringSplit: 'string tensors',
  SequenceMap: 'sequence values are not tensors',
  SequenceLength: 'sequence values are not tensors',
  SequenceEmpty: 'sequence values are not tensors',
  SequenceInsert: 'sequence values are not tensors',
  SequenceAt: 'sequence values are not tensors',
  SequenceConstruct: 'sequence values are not tensors',
  SequenceErase: 'sequence values are not tensors',
  SplitToSequence: 'sequence values are not tensors',
  ConcatFromSequence: 'sequence values are not tensors',
  Optional: 'optional values are not tensors',
  OptionalGetElement: 'optional values are not tensors',
  OptionalHasElement: 'optional values are not tensors',
  DFT: 'no complex FFT builtin (RFFT2D is real-input, 2-D, power-of-two only)',
  STFT: 'no complex FFT builtin (RFFT2D is real-input, 2-D, power-of-two only)',
  Det: 'no determinant builtin; a composition needs a data-dependent pivot',
  GridSample: 'no gather by computed fractional coordinates with per-pixel bilinear weights in one or a few builtins',
  RoiAlign: 'no ROI align builtin; a composition needs per-ROI data-dependent crops',
  MaxUnpool: 'scatter to data-dependent positions with an output shape given at run time',
  Loop: 'a loop whose trip count is an input (TFLite WHILE needs subgraphs; not written by this converter)',
  Scan: 'TFLite WHILE needs subgraphs; not written by this converter',
  If: 'a branch chosen at run time (TFLite IF needs subgraphs; an If with a constant condition is inlined)',
};

/** The ops TFLite expresses (every ai.onnx op in the node tests not in NOT_EXPRESSIBLE). */
export const EXPRESSIBLE: ReadonlySet<string> = new Set([
  'Abs', 'Acos', 'Acosh', 'Add', 'And', 'ArgMax', 'ArgMin', 'Asin', 'Asinh', 'Atan', 'Atanh', 'AveragePool',
  'BatchNormalization', 'BitShift', 'Cast', 'CastLike', 'Ceil', 'Celu', 'CenterCropPad', 'Clip', 'Concat', 'Constant',
  'ConstantOfShape', 'Conv', 'ConvTranspose', 'Cos', 'Cosh', 'CumSum', 'DepthToSpace', 'Div', 'Dropout', 'Einsum',
  'Elu', 'Equal', 'Erf', 'Exp', 'Expand', 'EyeLike', 'Flatten', 'Floor', 'Gather', 'GatherElements', 'GatherND',
  'Gelu', 'Gemm', 'GlobalAveragePool', 'GlobalLpPool', 'GlobalMaxPool', 'Greater', 'GreaterOrEqual',
  'GroupNormalization', 'HardSigmoid', 'HardSwish', 'Hardmax', 'Identity', 'InstanceNormalization', 'IsInf', 'IsNaN',
  'LRN', 'LSTM', 'GRU', 'RNN', 'LayerNormalization', 'LeakyRelu', 'Less', 'LessOrEqual', 'Log', 'LogSoftmax',
  'LpNormalization', 'LpPool', 'MatMul', 'Max', 'MaxPool', 'Mean', 'MeanVarianceNormalization', 'Min', 'Mish', 'Mod',
  'Mul', 'Neg', 'NegativeLogLikelihoodLoss', 'Not', 'OneHot', 'Or', 'PRelu', 'Pad', 'Pow', 'Range', 'Reciprocal',
  'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd',
  'ReduceSum', 'ReduceSumSquare', 'Relu', 'Reshape', 'Resize', 'ReverseSequence', 'Round', 'Scatter',
  'ScatterElements', 'ScatterND', 'Selu', 'Shape', 'Shrink', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Size', 'Slice',
  'Softmax', 'SoftmaxCrossEntropyLoss', 'Softplus', 'Softsign', 'SpaceToDepth', 'Split', 'Sqrt', 'Squeeze', 'Sub',
  'Sum', 'Tan', 'Tanh', 'ThresholdedRelu', 'Tile', 'TopK', 'Transpose', 'Trilu', 'Unsqueeze', 'Upsample', 'Where',
  'Xor',
]);

/** Single tests out of reach for a reason of their own (their ops are otherwise expressible). */
export const OUT_OF_REACH: Array<[RegExp, string]> = [
  [/^test_training_dropout(_default|_mask|$)|training_mode/, 'training-mode Dropout / BatchNormalization (random, or batch statistics)'],
  // Range's length is (limit - start) / delta: fed as inputs, the output shape is their value,
  // as for the window ops these _expanded tests spell out.
  [/^test_range_|^test_(blackman|hamming|hann)window(_symmetric)?_expanded$/, 'output shape is the value of the inputs (Range of run-time bounds)'],
];

/** Ops whose kernels evaluate exp / log / sqrt / trig: compared at rtol 1e-3 instead of 1e-4. */
export const TRANSCENDENTAL: ReadonlySet<string> = new Set([
  'Exp', 'Log', 'Sin', 'Cos', 'Tan', 'Tanh', 'Sigmoid', 'Erf', 'Gelu', 'Softplus', 'Mish', 'Selu', 'Elu', 'Celu', 'Pow',
  'Softmax', 'LogSoftmax', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Cosh', 'Sinh', 'Sqrt', 'Reciprocal',
  'LayerNormalization', 'InstanceNormalization', 'GroupNormalization', 'LpNormalization', 'MeanVarianceNormalization',
  'LRN', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'GRU', 'LSTM', 'RNN', 'LpPool', 'GlobalLpPool',
  'SoftmaxCrossEntropyLoss', 'Softsign', 'HardSigmoid',
]);
