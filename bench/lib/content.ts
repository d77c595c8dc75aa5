// Text for generated rows: names, schools, challenge and article bodies in the
// stored rich-HTML form (math as LaTeX spans, as the editor saves it), and
// answer boxes with plausible wrong answers next to each correct one.

export const FIRST_NAMES = [
  'Amara',
  'Ben',
  'Chloe',
  'Daniel',
  'Ella',
  'Finn',
  'Grace',
  'Harry',
  'Isla',
  'Jack',
  'Keira',
  'Leo',
  'Maya',
  'Noah',
  'Olivia',
  'Priya',
  'Quinn',
  'Ruby',
  'Sami',
  'Theo',
  'Uma',
  'Viktor',
  'Willow',
  'Xander',
  'Yasmin',
  'Zac',
  'Aisha',
  'Callum',
  'Deepa',
  'Ethan',
  'Freya',
  'George',
  'Hannah',
  'Ibrahim',
  'Jess',
  "Ka'ena",
  'Lily-Mae',
  'Mohammed',
  'Niamh',
  'Oscar',
];

export const LAST_NAMES = [
  'Adeyemi',
  'Brown',
  'Chen',
  'Davies',
  'Evans',
  'Fernandes',
  'Green',
  'Hughes',
  'Iqbal',
  'Jones',
  'Khan',
  'Lewis',
  'Morgan',
  'Nowak',
  "O'Brien",
  'Patel',
  'Quinn',
  'Roberts',
  'Singh',
  'Taylor',
  'Usman',
  'Vaughan',
  'Williams',
  'Xu',
  'Young',
  'Zielinski',
  'Ahmed',
  'Bell',
  'Clarke',
  'Dunn',
  'Ellis',
  'Fraser',
  'Gill',
  'Hall',
  'Ivanova',
  'Jackson',
  'Kowalski',
  'Lloyd',
  'Smith-Jones',
  'Mensah',
];

const SCHOOL_PLACES = [
  'Northfield',
  'Riverside',
  'Hillcrest',
  'Oakwood',
  'St Anne’s',
  'Kingsmead',
  'Westbrook',
  'Ashton',
  'Elmhurst',
  'Greenway',
  'Highgate',
  'Larkspur',
  'Meadowbank',
  'Parkside',
  'Queensway',
  'Redhill',
  'Stonebridge',
  'Thornbury',
  'Valley',
  'Woodlands',
];
const SCHOOL_KINDS = ['Academy', 'High School', 'Grammar School', 'College', 'Community School'];

export function schoolName(i: number): string {
  const place = SCHOOL_PLACES[i % SCHOOL_PLACES.length]!;
  const kind = SCHOOL_KINDS[Math.floor(i / SCHOOL_PLACES.length) % SCHOOL_KINDS.length]!;
  const round = Math.floor(i / (SCHOOL_PLACES.length * SCHOOL_KINDS.length));
  return round === 0 ? `${place} ${kind}` : `${place} ${kind} ${round + 1}`;
}

export interface AnswerSpec {
  label: string;
  correct: string;
  wrong: readonly string[];
  options?: Record<string, unknown>;
}

/** Answer boxes as admins write them, each with the mistakes students typically make. */
export const ANSWERS: readonly AnswerSpec[] = [
  { label: 'Probability as a fraction', correct: '\\frac{3}{4}', wrong: ['\\frac{4}{3}', '0.7', '\\frac{1}{4}'] },
  { label: 'Exact length', correct: '2\\sqrt{2}', wrong: ['\\sqrt{2}', '2.8', '4'] },
  { label: 'Solve for x', correct: 'x=3', wrong: ['x=-3', 'x=6', '3x'] },
  { label: 'Number of ways', correct: '120', wrong: ['24', '720', '60'] },
  { label: 'Standard form', correct: '3\\times10^{4}', wrong: ['3\\times10^{3}', '30', '3\\times10^{5}'] },
  { label: 'Expand and simplify', correct: 'x^{2}+2x+1', wrong: ['x^{2}+1', 'x^{2}+x+1', '2x+1'] },
  { label: 'Equation of the line', correct: 'y=2x+1', wrong: ['y=x+1', 'y=2x-1', 'y=\\frac{1}{2}x+1'] },
  { label: 'Area in terms of π', correct: '16\\pi', wrong: ['8\\pi', '50.2', '4\\pi'] },
  { label: 'Coordinates of the turning point', correct: '(2,-3)', wrong: ['(-2,3)', '(2,3)', '(-3,2)'] },
  { label: 'Both solutions', correct: 'x=2,x=-3', wrong: ['x=2', 'x=-2,x=3', 'x=3'] },
  { label: 'Percentage increase', correct: '45\\%', wrong: ['4.5\\%', '0.45\\%', '55\\%'] },
  { label: 'Factorise fully', correct: '(x+2)(x-5)', wrong: ['(x-2)(x+5)', '(x+2)(x+5)', 'x(x-3)'] },
  { label: 'Mixed number', correct: '2\\frac{1}{2}', wrong: ['\\frac{3}{2}', '2.25', '1\\frac{1}{2}'] },
  { label: 'Inequality', correct: 'x>4', wrong: ['x<4', 'x\\ge4', 'x>-4'] },
  { label: 'Value of the logarithm', correct: '3', wrong: ['8', '2', '\\frac{1}{3}'] },
  {
    label: 'Name of the shape',
    correct: '\\text{rhombus}',
    wrong: ['\\text{square}', '\\text{kite}', '\\text{trapezium}'],
  },
];

const TOPICS = [
  'Prime Paths',
  'Fraction Fountains',
  'The Stair Problem',
  'Triangles in a Hexagon',
  'Dice Duel',
  'Circle Chase',
  'Number Pyramids',
  'Sequence Secrets',
  'Balancing Act',
  'Tiling the Plane',
  'Coin Puzzles',
  'The Missing Digit',
  'Clock Angles',
  'Handshake Count',
  'Painted Cubes',
  'Magic Squares',
  'Pizza Slices',
  'Trains and Tunnels',
  'Surds Showdown',
  'Parabola Park',
];

export function challengeTitle(i: number): string {
  return `${TOPICS[i % TOPICS.length]} ${Math.floor(i / TOPICS.length) + 1}`;
}

const MATH = [
  '\\frac{a}{b}+\\frac{c}{d}',
  'x^{2}-5x+6=0',
  '\\sqrt{50}',
  'y=mx+c',
  '2^{10}',
  '\\pi r^{2}',
  '\\binom{5}{2}',
  '\\sin 30^{\\circ}',
  'a^{2}+b^{2}=c^{2}',
  '3\\times10^{4}',
  '\\log_{2}8',
  'n(n+1)/2',
];

const SENTENCES = [
  'A square is cut into four congruent pieces and rearranged into a rectangle.',
  'Every student in the class shakes hands with every other student exactly once.',
  'The sequence starts with two ones and each later term is the sum of the two before it.',
  'A fair six-sided die is rolled twice and the two scores are added together.',
  'Two trains leave the same station an hour apart and travel in the same direction.',
  'The diagram shows a regular hexagon with three of its diagonals drawn.',
  'A cube is painted red on the outside and then cut into twenty-seven smaller cubes.',
  'The digits of a three-digit number add up to twelve and the number is divisible by nine.',
  'A ladder leans against a vertical wall with its foot two metres from the wall.',
  'The price of a bicycle rises by a fifth and then falls by a fifth in the sales.',
];

function inlineMath(latex: string): string {
  const escaped = latex.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<span class="math-inline" data-latex="${escaped}">${escaped}</span>`;
}

function displayMath(latex: string): string {
  const escaped = latex.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<span class="math-display" data-latex="${escaped}">${escaped}</span>`;
}

type Pick = <T>(items: readonly T[]) => T;

function paragraph(pick: Pick, sentences: number, mathEvery: number): string {
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) {
    parts.push(pick(SENTENCES));
    if (mathEvery > 0 && i % mathEvery === mathEvery - 1) parts.push(`Consider ${inlineMath(pick(MATH))}.`);
  }
  return `<p>${parts.join(' ')}</p>`;
}

/** A challenge statement: two or three short paragraphs with inline and display math. */
export function challengeHtml(pick: Pick): string {
  return [
    paragraph(pick, 2, 2),
    `<p>${displayMath(pick(MATH))}</p>`,
    paragraph(pick, 2, 1),
    '<p><strong>Give each answer in its simplest form.</strong></p>',
  ].join('\n');
}

/** An article or newsletter body: headings, paragraphs, a list and some math (5–10 KB). */
export function articleHtml(pick: Pick, sections: number): string {
  const out: string[] = [];
  for (let s = 0; s < sections; s++) {
    out.push(`<h2>${pick(TOPICS)}</h2>`);
    out.push(paragraph(pick, 5, 3));
    if (s % 2 === 0) out.push(`<p>${displayMath(pick(MATH))}</p>`);
    out.push(`<ul><li>${pick(SENTENCES)}</li><li>${pick(SENTENCES)}</li><li>${pick(SENTENCES)}</li></ul>`);
    out.push(paragraph(pick, 4, 0));
  }
  return out.join('\n');
}

export const ARTICLE_TITLES = [
  'Why Proof Matters',
  'A History of Zero',
  'Inside the Olympiad',
  'Puzzles from the Archive',
  'Patterns in Pascal’s Triangle',
  'The Beauty of Primes',
  'How Maps Use Geometry',
  'Meet the Team',
  'Notes from the Summer Camp',
  'Estimating π by Hand',
];
