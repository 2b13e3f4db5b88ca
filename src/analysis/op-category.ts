/** Op categories, for colouring nodes by what they do. */
export const CATEGORIES = ['other', 'conv', 'matmul', 'activation', 'normalization', 'pool', 'shape', 'elementwise', 'reduce', 'control', 'quantize', 'constant', 'io'] as const;

type Category = (typeof CATEGORIES)[number];

const GROUPS: Record<Exclude<Category, 'other' | 'io'>, string[]> = {
  conv: ['Conv', 'ConvTranspose', 'ConvInteger', 'QLinearConv', 'DeformConv', 'FusedConv', 'NhwcConv'],
  matmul: ['MatMul', 'Gemm', 'MatMulInteger', 'QLinearMatMul', 'Einsum', 'Attention', 'MultiHeadAttention', 'MatMulNBits', 'FusedMatMul'],
  activation: ['Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Softmax', 'LogSoftmax', 'Gelu', 'FastGelu', 'Elu', 'Selu', 'Celu', 'Softplus', 'Softsign', 'Mish', 'Swish', 'ThresholdedRelu', 'Clip', 'QuickGelu', 'BiasGelu'],
  normalization: ['BatchNormalization', 'LayerNormalization', 'InstanceNormalization', 'GroupNormalization', 'LRN', 'MeanVarianceNormalization', 'LpNormalization', 'SkipLayerNormalization', 'SimplifiedLayerNormalization', 'RMSNormalization'],
  pool: ['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool', 'MaxUnpool', 'MaxRoiPool', 'RoiAlign'],
  shape: ['Reshape', 'Transpose', 'Flatten', 'Squeeze', 'Unsqueeze', 'Concat', 'Split', 'Slice', 'Gather', 'GatherElements', 'GatherND', 'Shape', 'Size', 'Expand', 'Tile', 'Pad', 'Resize', 'Upsample', 'DepthToSpace', 'SpaceToDepth', 'Identity', 'Cast', 'CastLike', 'ScatterND', 'ScatterElements'],
  elementwise: ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Exp', 'Log', 'Abs', 'Neg', 'Reciprocal', 'Max', 'Min', 'Sum', 'Mean', 'Equal', 'Greater', 'Less', 'Where', 'Not', 'And', 'Or', 'Erf', 'Floor', 'Ceil', 'Round', 'Mod', 'Sin', 'Cos'],
  reduce: ['ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare', 'ArgMax', 'ArgMin', 'TopK', 'CumSum'],
  control: ['If', 'Loop', 'Scan', 'SequenceMap'],
  quantize: ['QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear'],
  constant: ['Constant', 'ConstantOfShape', 'Range'],
};

const BY_OP = new Map<string, number>();
for (const [cat, ops] of Object.entries(GROUPS)) for (const op of ops) BY_OP.set(op, CATEGORIES.indexOf(cat as Category));

/** Index into CATEGORIES for an op type (any domain); 0 ('other') when unlisted. */
export function categoryOf(opType: string): number {
  return BY_OP.get(opType) ?? 0;
}

export const IO_CATEGORY = CATEGORIES.indexOf('io');
