import { dataTypeName } from '../../onnx/dtypes';
import type { NodeFacts } from './node-facts';
import { unknown, violated, type Verdict } from './verdict';
import type { MatrixRow, TensorRTVersion, VersionMatrix } from './versions';

/** ONNX TensorProto data type → the name the matrices use. DOUBLE is handled apart (cast down). */
const MATRIX_NAME: Record<number, string> = { 1: 'FP32', 2: 'UINT8', 3: 'INT8', 6: 'INT32', 7: 'INT64', 9: 'BOOL', 10: 'FP16', 16: 'BF16', 17: 'FP8', 22: 'INT4', 23: 'FP4' };
const DOUBLE = 11;
const INT64 = 7;

/** Quantized types by the name in a version's data-type list and in the op rows. */
const QUANTIZED: [string, string][] = [['INT8', 'INT8'], ['FP8', 'FP8'], ['INT4', 'INT4'], ['FP4', 'FP4']];

type Operand = { side: 'in' | 'out'; index: number };
const IN0: Operand[] = [{ side: 'in', index: 0 }];
const OUT0: Operand[] = [{ side: 'out', index: 0 }];

/**
 * Which tensor the "Supported Types" column speaks of: the data input, except where it is a
 * condition (Where), a count or a shape (generators), or carried through subgraphs (If/Loop/Scan).
 */
const OPERANDS: Record<string, Operand[]> = {
  Cast: [...IN0, ...OUT0],
  CastLike: [...IN0, ...OUT0],
  Where: [{ side: 'in', index: 1 }],
  OneHot: [{ side: 'in', index: 2 }],
  If: [],
  Loop: [],
  Scan: [],
  Constant: OUT0,
  ConstantOfShape: OUT0,
  RandomNormal: OUT0,
  RandomUniform: OUT0,
  BlackmanWindow: OUT0,
  HammingWindow: OUT0,
  HannWindow: OUT0,
};

/** The node's operand types against its row's Supported Types (and the version's casting notes). */
export function checkTypes(f: NodeFacts, row: MatrixRow, version: TensorRTVersion, matrix: VersionMatrix): Verdict[] {
  if (!row.types.length || quantizationParameter(f)) return [];
  const verdicts: Verdict[] = [];
  for (const operand of OPERANDS[f.op] ?? IN0) {
    const value = operand.side === 'in' ? f.input(operand.index) : f.output(operand.index);
    const elem = f.elemOf(value);
    if (elem === undefined || !value) continue;
    const name = MATRIX_NAME[elem];
    if (name && row.types.includes(name)) continue;
    // 8.6 casts INT64 down to INT32 by design; values that do not fit are the int64-weight finding.
    if (elem === INT64 && version === '8.6' && row.types.includes('INT32')) continue;
    const what = `${operand.side === 'in' ? 'input' : 'output'} '${value.name}' is ${dataTypeName(elem)}`;
    if (elem === DOUBLE && row.types.includes('FP32') && matrix.dataTypes.includes('DOUBLE')) verdicts.push(unknown(`${what}: TensorRT casts DOUBLE down to FLOAT, clamping to ±FLT_MAX`));
    else verdicts.push(violated(`${what}; TensorRT ${version} takes ${row.types.join(', ')} for ${f.op}`));
  }
  if (f.op === 'QuantizeLinear') verdicts.push(quantizedOutput(f, matrix, version));
  return verdicts;
}

/** QuantizeLinear must produce a type TensorRT quantizes to (uint8 is the CPU's asymmetric form). */
function quantizedOutput(f: NodeFacts, matrix: VersionMatrix, version: TensorRTVersion): Verdict {
  const elem = f.elemOf(f.output(0));
  if (elem === undefined) return undefined;
  const allowed = QUANTIZED.filter(([listed]) => matrix.dataTypes.includes(listed)).map(([, name]) => name);
  const name = MATRIX_NAME[elem];
  return name && allowed.includes(name) ? undefined : violated(`it quantizes to ${dataTypeName(elem)}; TensorRT ${version} quantizes to ${allowed.join(', ')}`);
}

/** A Constant read only by Q/DQ nodes holds their scale or zero point (int8/uint8): the parser takes it as weights. */
function quantizationParameter(f: NodeFacts): boolean {
  if (f.op !== 'Constant') return false;
  const readers = f.output(0)?.consumers ?? [];
  return readers.length > 0 && readers.every((n) => n.domain === '' && (n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear'));
}
