/**
 * Operator versions whose behaviour changed where the signature alone does not show it (or
 * shows only part of it), as ONNX's Changelog.md states in the two versions' texts. `before`
 * and `after` are phrases of the previous and of this version's changelog section that carry
 * the difference (the test checks them against the changelog). Default domain only.
 */
export interface SemanticChange {
  op: string;
  since: number;
  change: string;
  /** A phrase of the previous version's section that this version's lacks. */
  before?: string;
  /** A phrase of this version's section that the previous version's lacks. */
  after?: string;
}

const axisNowOneAxis = (op: string): SemanticChange => ({
  op,
  since: 13,
  change: '`axis` now names the single axis it normalizes along; before, the input was flattened to 2-D at `axis` (all dims from `axis` on as one row)',
  before: 'coerced into a 2-dimensional tensor',
  after: `The "axis" attribute indicates the dimension along which ${op}`,
});

export const SEMANTIC_CHANGES: readonly SemanticChange[] = [
  axisNowOneAxis('Softmax'),
  axisNowOneAxis('LogSoftmax'),
  axisNowOneAxis('Hardmax'),
  {
    op: 'Resize',
    since: 13,
    change: 'coordinate_transformation_mode `tf_half_pixel_for_nn` removed; `roi` and `scales` optional, exactly one of `scales` and `sizes` given (before: an empty `scales` when `sizes` is used)',
    before: 'if coordinate_transformation_mode is "tf_half_pixel_for_nn"',
    after: "Only one of 'scales' and 'sizes' can be specified",
  },
  {
    op: 'Resize',
    since: 19,
    change: 'new coordinate_transformation_mode `half_pixel_symmetric`',
    after: '"half_pixel_symmetric"',
  },
  {
    op: 'GridSample',
    since: 20,
    change: 'modes renamed (`bilinear` → `linear`, `bicubic` → `cubic`) and extended to N spatial dimensions',
    before: 'Three interpolation modes: bilinear (default), nearest and bicubic.',
    after: 'Three interpolation modes: linear (default), nearest and cubic.',
  },
];

export function semanticChange(domain: string, op: string, since: number): SemanticChange | undefined {
  return domain === '' ? SEMANTIC_CHANGES.find((c) => c.op === op && c.since === since) : undefined;
}
