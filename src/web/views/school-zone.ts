// The school's time zone (SCHOOL_TIMEZONE) for components deep in a page that
// show dates, such as <Day>, without threading it through every view's props.
// renderPage sets it around each render. Rendering is synchronous, so no other
// page can be rendered in between. (Not a Preact context: importing
// preact/hooks would add its per-component hooks to every server render.)
let current = 'Europe/London';

/** The zone of the page being rendered. */
export function schoolZone(): string {
  return current;
}

/** Runs a synchronous render with `zone` as the school's time zone. */
export function withSchoolZone<T>(zone: string, render: () => T): T {
  const before = current;
  current = zone;
  try {
    return render();
  } finally {
    current = before;
  }
}
