import MarkdownIt from 'markdown-it';

const escape = new MarkdownIt().utils.escapeHtml;

interface Transition {
  readonly from: string;
  readonly to: string;
  readonly on: string;
}

const START_OR_END = '[*]';
const TRANSITION = /^\s*(\S+)\s*-->\s*(\S+)\s*(?::\s*(.*?))?\s*$/;

/**
 * A Mermaid `stateDiagram-v2` as an HTML table of its transitions, grouped by the state they leave, with the source
 * kept below. Mermaid is a browser script we do not ship; a table is exact, needs no script and reads well to screen
 * readers. Undefined for any other diagram, which is then shown as its source.
 */
export function stateDiagramHtml(source: string): string | undefined {
  const lines = source.split('\n').map((line) => line.trim());
  if (lines[0] !== 'stateDiagram-v2' && lines[0] !== 'stateDiagram') return undefined;
  const transitions: Transition[] = [];
  for (const line of lines.slice(1)) {
    if (!line || line.startsWith('%%')) continue;
    const match = TRANSITION.exec(line);
    // A construct this renderer does not know (notes, composite states): better the source than a wrong table.
    if (!match) return undefined;
    transitions.push({ from: match[1] ?? '', to: match[2] ?? '', on: match[3] ?? '' });
  }
  const initial = transitions.filter((transition) => transition.from === START_OR_END);
  const final = transitions.filter((transition) => transition.to === START_OR_END).map((transition) => transition.from);
  const moves = transitions.filter((transition) => transition.from !== START_OR_END && transition.to !== START_OR_END);
  const states = [...new Set(moves.flatMap((transition) => [transition.from, transition.to]))];
  const state = (name: string) => `<code>${escape(name)}</code>`;
  // One row group per state left, headed by it.
  const groups = states.flatMap((from) => {
    const leaving = moves.filter((transition) => transition.from === from);
    if (leaving.length === 0) return [];
    const rows = leaving.map(
      (transition, index) =>
        `<tr>${index === 0 ? `<th scope="rowgroup" rowspan="${leaving.length}">${state(from)}</th>` : ''}<td>${escape(transition.on)}</td><td>${transition.to === from ? `stays ${state(from)}` : state(transition.to)}</td></tr>`,
    );
    return [`<tbody>${rows.join('')}</tbody>`];
  });
  return [
    '<figure class="state-diagram">',
    `<figcaption>State diagram: starts in ${initial.map((transition) => `${state(transition.to)}${transition.on ? ` (${escape(transition.on)})` : ''}`).join(', ')}; ${final.map(state).join(', ')} ${final.length === 1 ? 'is' : 'are'} final. Each row is one transition.</figcaption>`,
    '<table>',
    '<thead><tr><th scope="col">from</th><th scope="col">on</th><th scope="col">to</th></tr></thead>',
    ...groups,
    '</table>',
    `<details><summary>Diagram source (Mermaid)</summary><pre><code>${escape(source)}</code></pre></details>`,
    '</figure>',
    '',
  ].join('\n');
}
