import { toNumber } from '../../proto/byte-range';
import { AttributeType, type AttributeProto } from '../../proto/types';

/** Reading and making the attributes conversions move around. */

export const intOf = (a: AttributeProto | undefined, fallback: number): number => (a?.i === undefined ? fallback : toNumber(a.i));
export const floatOf = (a: AttributeProto | undefined, fallback: number): number => a?.f ?? fallback;
export const stringOf = (a: AttributeProto | undefined, fallback: string): string => (a?.s ? new TextDecoder().decode(a.s) : fallback);

function attribute(name: string, type: number): AttributeProto {
  return { name, type, floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] };
}
export const intAttribute = (name: string, i: number): AttributeProto => ({ ...attribute(name, AttributeType.INT), i });
export const stringAttribute = (name: string, s: string): AttributeProto => ({ ...attribute(name, AttributeType.STRING), s: new TextEncoder().encode(s) });
