// What the new-event form warns about before the server is asked, and how it reads the server's
// answer. The server is the judge (issue 17, item 5): a new event departing in the past or short
// of crew answers 409 `unconfirmed-warnings` until it is sent again confirming those codes; a kind
// that needs a captain without one is a 400 field error at `crew`. The form shows the same
// concerns as the person types, so the 409 rarely comes as a surprise.

import type { CrewFields, FieldError, Problem, Template, VesselView } from './types';

export const UNCONFIRMED_WARNINGS = '/problems/unconfirmed-warnings';

/** The kinds that need a captain when their template does not say (older servers). */
const CAPTAINED = new Set(['sunset_sail', 'charter', 'delivery']);

/** The warnings of a 409 `unconfirmed-warnings` (field, code, message each), else null. */
export function unconfirmedWarnings(status: number, problem: Problem | null | undefined): FieldError[] | null {
  if (status !== 409 || !problem) return null;
  if (!problem.type.endsWith(UNCONFIRMED_WARNINGS)) return null;
  return problem.errors?.length ? problem.errors : null;
}

/** The warning messages by form field (`departs_at`, `crew`; a crew line's go to the crew). */
export function warningsByField(warnings: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of warnings) {
    const key = w.field.startsWith('crew') ? 'crew' : w.field;
    out[key] = out[key] ? `${out[key]} ${w.message}` : w.message;
  }
  return out;
}

/** The kind's name in a sentence: `sunset sail`, `charter`. */
export function kindInSentence(kind: string, templates: Pick<Template, 'kind' | 'name'>[]): string {
  const name = templates.find((t) => t.kind === kind)?.name ?? kind.replace(/_/g, ' ');
  return name.toLowerCase();
}

/** Whether a kind sails only with a captain: the template's word, else the known kinds. */
export function needsCaptain(kind: string, templates: Pick<Template, 'kind' | 'requires_captain'>[]): boolean {
  const t = templates.find((x) => x.kind === kind);
  return t?.requires_captain ?? CAPTAINED.has(kind);
}

/** The smallest crew: the picked vessel's minimum when its record sets one, else the template's. */
export function crewRequired(
  kind: string,
  templates: Pick<Template, 'kind' | 'min_crew'>[],
  vessel?: Pick<VesselView, 'min_crew'> | undefined,
): number | null {
  return vessel?.min_crew ?? templates.find((t) => t.kind === kind)?.min_crew ?? null;
}

export interface FormConcerns {
  departs_at?: string;
  crew?: string[];
}

/**
 * What the form says under its fields while the admin fills it in: a departure already past (by
 * the org's wall clock, `nowWall`, both `YYYY-MM-DDTHH:mm`), a captain missing, fewer crew than
 * the trip sails with. An edit (`isNew` false) hears only of the captain: the server judges the
 * rest for new events only, and an edited event keeps its own history.
 */
export function formConcerns(args: {
  isNew: boolean;
  kind: string;
  departs: string;
  nowWall: string;
  crew: CrewFields[];
  templates: Pick<Template, 'kind' | 'name' | 'min_crew' | 'requires_captain'>[];
  vessel?: Pick<VesselView, 'min_crew'> | undefined;
}): FormConcerns {
  const out: FormConcerns = {};
  if (args.isNew && args.departs && args.departs < args.nowWall) out.departs_at = 'This departure is already in the past.';
  const name = kindInSentence(args.kind, args.templates);
  const crew: string[] = [];
  if (needsCaptain(args.kind, args.templates) && !args.crew.some((c) => c.role === 'captain')) {
    crew.push(`Pick a captain: a ${name} sails with one.`);
  }
  const required = crewRequired(args.kind, args.templates, args.vessel);
  if (args.isNew && required != null && args.crew.length < required) {
    crew.push(`${args.crew.length} crew picked; a ${name} sails with at least ${required}.`);
  }
  if (crew.length) out.crew = crew;
  return out;
}
