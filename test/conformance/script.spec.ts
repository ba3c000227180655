import { decodeCommand, parseScript, unescapeUnicode } from './script';
import { intervalSeconds, typedEqual } from './judge';

/** The script format's golden decodings (docs/sequencing.md, "Conformance replayer"). */
describe('CTS script reader', () => {
  it.each([
    ['I->->t->0', { method: 'Initialize', arg: '', expected: 'true', expectedCode: '0' }],
    ['I->illegal->f->201', { method: 'Initialize', arg: 'illegal', expected: 'false', expectedCode: '201' }],
    ['GET->c~MAXTA->P5Y6M4DT12H30M58S->0', { method: 'GetValue', arg: 'cmi.max_time_allowed', expected: 'P5Y6M4DT12H30M58S', expectedCode: '0' }],
    ['GET->c~LOC->->122', { method: 'GetValue', arg: 'cmi.location', expected: '', expectedCode: '122' }],
    ['GET->->->301', { method: 'GetValue', arg: '', expected: '', expectedCode: '301' }],
    ['GET->cmi->->401', { method: 'GetValue', arg: 'cmi', expected: '', expectedCode: '401' }],
    ['GET->c~OB~&obj1&~SS->fail->0', { method: 'GetValue', arg: 'cmi.objectives.&obj1&.success_status', expected: 'failed' }],
    ['GET->a~n~rv~TY.c~tar~activity_2->true->0', { method: 'GetValue', arg: 'adl.nav.request_valid.choice.{target=activity_2}' }],
    ['GET->c~INTR~0~CR~0~P!TY.m->a[.]b->0', { arg: 'cmi.interactions.0.correct_responses.0.pattern', interactionType: 'matching', expected: 'a[.]b' }],
    ['GET->c~E->E.a->0', { arg: 'cmi.entry', expected: 'ab-initio' }],
    ['SET->c~X!M.n->t->0', { method: 'SetValue', arg: 'cmi.exit', value: 'normal', expected: 'true' }],
    ['SET->c~X!->t->0', { arg: 'cmi.exit', value: '' }],
    ['SET->a~n~r!X->t->0', { arg: 'adl.nav.request', value: 'exit' }],
    ['SET->a~n~r!tar~activity_6~TY.c->t->0', { arg: 'adl.nav.request', value: '{target=activity_6}choice' }],
    ['SET->a~n~r!tar~activity_7~N.j->t->0', { arg: 'adl.nav.request', value: '{target=activity_7}jump' }],
    ['SET->c~OB~&obj1&~S~SCA!0.49->t->0', { arg: 'cmi.objectives.&obj1&.score.scaled', value: '0.49' }],
    ['SET->c~OB~0~ID!obj1->t->0', { arg: 'cmi.objectives.0.id', value: 'obj1' }],
    ['SET->c~INTR~0~TY!TY.tf->t->0', { arg: 'cmi.interactions.0.type', value: 'true-false' }],
    ['SET->!test->f->351', { arg: '', value: 'test', expected: 'false', expectedCode: '351' }],
    ['GES->001->emptyCS->0', { method: 'GetErrorString', arg: '001', expected: 'emptyCS' }],
    ['GLE->->201->201', { method: 'GetLastError', expected: '201', expectedCode: '201' }],
    ['COI->PRIMARYOBJ,obj1', { method: 'COI', ids: ['PRIMARYOBJ', 'obj1'] }],
  ])('decodes %s', (text, expected) => {
    expect(decodeCommand(text)).toMatchObject(expected);
  });

  it('skips an unknown method code', () => {
    expect(decodeCommand('c~OB~0~id->obj->0')).toBeUndefined();
  });

  it('cuts a SET value at "->" as the CTS split does', () => {
    expect(decodeCommand('SET->a~DA~&t&~STR!abc->0def->t->0')).toMatchObject({ value: 'abc', expected: 'true', expectedCode: '0' });
  });

  it('joins continuation lines verbatim, drops #### lines and groups blocks by prefix runs', () => {
    const script = parseScript(
      Buffer.from(
        'title=X\nstart=.\n####\nAct1V1.commands.0=SET->c~SD!a\\\n  b->t->0\nAct1V1.CUI=Continue\nAct2V1.commands.0=I->->t->0\nAct1V1.commands.0=I->->t->0',
      ),
    );
    expect(script.blocks.map((b) => b.label)).toEqual(['1', '2', '1']);
    expect(script.blocks[0].commands).toEqual(['SET->c~SD!a  b->t->0']);
    expect(script.blocks[0].cui).toEqual(['Continue']);
  });

  it('decodes \\u escapes and keeps other backslashes', () => {
    expect(unescapeUnicode('a\\u0041\\n\\uZZZZ')).toBe('aA\\n\\uZZZZ');
  });

  it('compares values by their SCORM type', () => {
    expect(typedEqual('cmi.scaled_passing_score', '0.80', '0.8')).toBe(true);
    expect(typedEqual('cmi.total_time', 'PT60S', 'PT1M')).toBe(true);
    expect(typedEqual('cmi.location', 'a', 'A')).toBe(false);
    expect(intervalSeconds('P1DT0.55S')).toBeCloseTo(86400.55);
  });

  it("compares responses through their delimiters, as ADL's data model classes read them", () => {
    const pattern = 'cmi.interactions.0.correct_responses.0.pattern';
    expect(typedEqual(pattern, '{lang=eng}{case_matters=true}Text', '{case_matters=true}{lang=eng}Text', 'long-fill-in')).toBe(true);
    expect(typedEqual(pattern, '{case_matters=true}Text', '{case_matters=true}text', 'long-fill-in')).toBe(false);
    expect(typedEqual(pattern, '{order_matters=false}a[,]b', 'b[,]a', 'fill-in')).toBe(true);
    expect(typedEqual(pattern, 'a[,]b', 'b[,]a', 'fill-in')).toBe(false);
    expect(typedEqual(pattern, '{order_matters=true}a[.]x[,]b[.]y', 'a[.]x[,]b[.]y', 'performance')).toBe(true);
    expect(typedEqual(pattern, 'a[.]x[,]b[.]y', 'b[.]y[,]a[.]x', 'performance')).toBe(false);
    expect(typedEqual(pattern, '{order_matters=false}a[.]x[,]b[.]y', 'b[.]y[,]a[.]x', 'performance')).toBe(true);
    expect(typedEqual(pattern, 'a[.]x[,]b[.]y', 'b[.]y[,]a[.]x', 'matching')).toBe(true);
    expect(typedEqual(pattern, 'a[,]b', 'b[,]a', 'sequencing')).toBe(false);
  });
});
