// One way to put a count beside a noun, so no page says "1 points" or
// "1 members". English plural rules come from Intl.PluralRules (1 and -1 are
// singular, 0 and everything else plural); irregular plurals are passed in.

const rules = new Intl.PluralRules('en-GB');
const numbers = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/** The noun alone, in the form that agrees with `count`: pluralWord(1, 'try', 'tries') → "try". */
export function pluralWord(count: number, singular: string, pluralForm = `${singular}s`): string {
  return rules.select(count) === 'one' ? singular : pluralForm;
}

/** The count and the noun: plural(1, 'point') → "1 point"; plural(1200, 'entry', 'entries') → "1,200 entries". */
export function plural(count: number, singular: string, pluralForm?: string): string {
  return `${numbers.format(count)} ${pluralWord(count, singular, pluralForm)}`;
}
