import { openInputFolder, type InputData, type InputFolderOptions } from './input-folder';
import type { InputSpec } from './input-spec';

/** Calibration data and the held-out data the report is computed on, and how they were chosen. */
export interface CalibrationSplit {
  calibration: InputData;
  evaluation: InputData;
  /**
   * 'eval-folder': --eval DIR; 'held-out-fifth': every 5th sorted sample of the calibration
   * folder (the 5th, 10th, ...; the last one when there are 2–4), not used to calibrate;
   * 'none': one sample only, so the report is computed on the calibration data itself.
   */
  heldOut: 'eval-folder' | 'held-out-fifth' | 'none';
  /** One sentence for the report saying which data each figure comes from. */
  note: string;
}

/**
 * Opens the calibration folder and the evaluation data: `evalFolder` when given, else a
 * deterministic held-out fifth of the calibration samples (every 5th sorted file or sample
 * folder), which calibration then does not see.
 */
export function openCalibrationData(calibFolder: string, inputs: readonly InputSpec[], options: InputFolderOptions = {}, evalFolder?: string): CalibrationSplit {
  const all = openInputFolder(calibFolder, inputs, options);
  if (evalFolder !== undefined) {
    const evaluation = openInputFolder(evalFolder, inputs, options);
    return { calibration: all, evaluation, heldOut: 'eval-folder', note: `calibrated on ${all.description}; report computed on ${evaluation.description}` };
  }
  const n = all.units.length;
  if (n < 2) {
    return { calibration: all, evaluation: all, heldOut: 'none', note: `calibrated on ${all.description}; report computed on the same data (too few samples to hold any out; give --eval DIR)` };
  }
  let held = all.units.map((_, i) => i % 5 === 4);
  if (!held.includes(true)) held = all.units.map((_, i) => i === n - 1);
  const calibration = subset(all, held, false);
  const evaluation = subset(all, held, true);
  const names = evaluation.units.map((u) => u.path);
  return {
    calibration,
    evaluation,
    heldOut: 'held-out-fifth',
    note: `calibrated on ${calibration.units.length} of ${all.description}; report computed on the ${names.length} held out (every 5th sorted: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}), not used to calibrate`,
  };
}

function subset(all: InputData, held: boolean[], want: boolean): InputData {
  const units = all.units.filter((_, i) => held[i] === want);
  return { ...all, units, description: `${units.length} of ${all.description}` };
}
