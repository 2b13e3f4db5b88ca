// The language server analyses after a pause in typing, not per keystroke, and never analyses a
// text over the size bound. Timers are mocked: no waiting, no wall clock.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { analyze } from '../src/server/analysis';
import { ANALYSIS_DELAY_MS, AnalysisSchedule, MAX_ANALYZED_CHARS, type Analyzed, type ScheduledDocument } from '../src/server/analysis-schedule';

const TEXT = '<\n ir_version: 8,\n opset_import: ["" : 17]\n>\ng (float[2] X) => (float[2] Y)\n{\n Y = Relu(X)\n}\n';

function editor(): { doc: ScheduledDocument; type(text: string): void } {
  let text = '';
  const doc = { uri: 'untitled:a', version: 0, getText: () => text };
  return { doc, type: (t) => ((text = t), doc.version++) };
}

test('fifty keystrokes inside the quiet period give one analysis, of the last text', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const analysed: string[] = [];
    const published: Analyzed[] = [];
    const schedule = new AnalysisSchedule((d) => (analysed.push(d.getText()), analyze(d.getText(), undefined)), (_, r) => published.push(r));
    const { doc, type } = editor();
    for (let i = 1; i <= 50; i++) {
      type(TEXT.slice(0, Math.round((TEXT.length * i) / 50)));
      schedule.changed(doc);
      mock.timers.tick(ANALYSIS_DELAY_MS - 1);
    }
    assert.equal(analysed.length, 0, 'nothing analysed while typing');
    mock.timers.tick(1);
    assert.deepEqual(analysed, [TEXT]);
    assert.equal(published.length, 1);
    assert.equal(published[0]!.kind, 'analysis');
    // Hover then asks for the same version: no second analysis.
    assert.equal(schedule.current(doc), published[0]);
    assert.equal(analysed.length, 1);
    schedule.closed(doc.uri);
  } finally {
    mock.timers.reset();
  }
});

test('a text over the bound is never analysed and gets one diagnostic-worthy result; a close cancels a pending analysis', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    let analyses = 0;
    const published: Analyzed[] = [];
    const schedule = new AnalysisSchedule((d) => (analyses++, analyze(d.getText(), undefined)), (_, r) => published.push(r));
    const { doc, type } = editor();
    // A hostile text: deep nesting repeated past the bound.
    type('<'.repeat(1000) + 'seq('.repeat(MAX_ANALYZED_CHARS));
    schedule.changed(doc);
    mock.timers.tick(ANALYSIS_DELAY_MS);
    assert.equal(analyses, 0);
    assert.deepEqual(published, [{ kind: 'too-large', chars: doc.getText().length }]);
    assert.equal(schedule.current(doc).kind, 'too-large');

    type(TEXT);
    schedule.changed(doc);
    schedule.closed(doc.uri);
    mock.timers.tick(ANALYSIS_DELAY_MS);
    assert.equal(analyses, 0, 'the scheduled analysis of a closed document never runs');
    assert.equal(published.length, 1);
  } finally {
    mock.timers.reset();
  }
});
