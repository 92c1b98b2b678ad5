import { describe, expect, it } from 'vitest';
import { argValueProblem, percentWarning, type ArgValueProblem } from '../../src/remote-app/arg-policy.js';

describe('argValueProblem', () => {
  it.each<[string, string, ArgValueProblem]>([
    ['over 4096 characters', 'x'.repeat(4097), 'too_long'],
    ['NUL', 'a\u0000', 'control_character'],
    ['LF', 'a\nb', 'control_character'],
    ['DEL', '\u007f', 'control_character'],
    ['a lone surrogate', 'a\ud800b', 'ill_formed'],
  ])('refuses %s under every policy', (_, value, problem) => {
    expect(argValueProblem(value, 'default')).toBe(problem);
    expect(argValueProblem(value, 'strict')).toBe(problem);
  });

  it.each<[string, string, ArgValueProblem]>([
    ['%', '%COMSPEC%', 'percent'],
    ['"', 'a"b', 'quote'],
    ['a leading -', '-x', 'leading_switch'],
    ['a leading /', '/x', 'leading_switch'],
    ['a fullwidth quote', '\uff02', 'non_ascii'],
    ['NBSP', 'a\u00a0b', 'non_ascii'],
    ['a C1 control', 'a\u0085b', 'non_ascii'],
    ['a .. segment', 'a\\..\\b', 'dot_dot_segment'],
    ['a .. segment between slashes', 'a/../b', 'dot_dot_segment'],
    ['a leading .. segment', '..\\b', 'dot_dot_segment'],
    ['a trailing .. segment', 'a/..', 'dot_dot_segment'],
    ['.. followed by spaces and dots', 'a\\.. .\\b', 'dot_dot_segment'],
    ['a drive-relative parent C:..\\secret.txt', 'C:..\\secret.txt', 'dot_dot_segment'],
    ['a drive-relative parent c:..', 'c:..', 'dot_dot_segment'],
    ['a drive-relative parent with a slash', 'D:../x', 'dot_dot_segment'],
    ['a drive-relative parent after \\\\?\\', '\\\\?\\C:..\\x', 'dot_dot_segment'],
  ])('refuses %s in strict mode only', (_, value, problem) => {
    expect(argValueProblem(value, 'default')).toBeUndefined();
    expect(argValueProblem(value, 'strict')).toBe(problem);
  });

  it.each(['', 'C:\\Reports\\Q1 2030.xlsx', 'C:..a.txt', 'C:a..txt', 'a..b', '.a', 'x.', 'C:\\.\\x', 'a-b/c', "it's & ^ | < > ! ( )", 'x'.repeat(4096)])(
    'accepts %j in strict mode',
    (value) => {
      expect(argValueProblem(value, 'strict')).toBeUndefined();
    },
  );
});

describe('percentWarning', () => {
  it('names the parameter and the risk, not the value', () => {
    expect(percentWarning('file')).toBe('URL parameter "file" contains "%": the RDS host may expand %NAME% environment variables in it');
  });
});
