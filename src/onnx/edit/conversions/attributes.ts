import { toNumber } from '../../proto/byte-range';
import type { AttributeProto } from '../../proto/types';

/** Reading the attributes conversions move around, with the operator's default when absent. */

export const intOf = (a: AttributeProto | undefined, fallback: number): number => (a?.i === undefined ? fallback : toNumber(a.i));
export const floatOf = (a: AttributeProto | undefined, fallback: number): number => a?.f ?? fallback;
export const stringOf = (a: AttributeProto | undefined, fallback: string): string => (a?.s ? new TextDecoder().decode(a.s) : fallback);
