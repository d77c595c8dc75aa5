// Tries per day as an inline SVG bar chart, drawn on the server: no client
// script, no CDN, nothing the CSP has to allow. A table with the same numbers
// follows for screen readers and for copying.
export function SubmissionsChart({ days }: { days: Array<{ day: string; count: number }> }) {
  if (days.length === 0) return <p class="muted">No tries yet.</p>;
  const width = 640;
  const height = 200;
  const pad = 24;
  const max = Math.max(...days.map((d) => d.count), 1);
  const barWidth = (width - pad * 2) / days.length;
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${width} ${height + pad}`}
        role="img"
        aria-label={`Tries per day, from ${days[0]!.day} to ${days[days.length - 1]!.day}; the most in one day was ${max}.`}
      >
        <line x1={pad} y1={height} x2={width - pad} y2={height} class="chart-axis" />
        <text x={pad} y={14} class="chart-label">
          {max}
        </text>
        {days.map((d, i) => {
          const h = Math.round((d.count / max) * (height - pad));
          return (
            <rect
              x={(pad + i * barWidth + 1).toFixed(1)}
              y={height - h}
              width={Math.max(1, barWidth - 2).toFixed(1)}
              height={h}
              class="chart-bar"
            >
              <title>{`${d.day}: ${d.count}`}</title>
            </rect>
          );
        })}
        <text x={pad} y={height + 18} class="chart-label">
          {days[0]!.day}
        </text>
        <text x={width - pad} y={height + 18} text-anchor="end" class="chart-label">
          {days[days.length - 1]!.day}
        </text>
      </svg>
      <details>
        <summary>The numbers</summary>
        <table class="chart-data">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Tries</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr>
                <td>{d.day}</td>
                <td>{d.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
