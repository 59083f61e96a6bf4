// Roles on tasks (issue 17, item 3), as the server enforces them: a captain's task is ticked by
// the event's captain or an admin; a crew task by anyone working the event; executives read only.
import { describe, expect, it } from 'vitest';
import { mayTick, taskOwner } from '../src/roles';

describe('who may tick a task: role on task x my_role on the event x role in the org', () => {
  // [task role, my_role, session role, may tick]
  const table: [string, string | null | undefined, string, boolean][] = [
    // A crew task: anyone who ticks at all.
    ['crew', 'crew', 'crew', true],
    ['crew', 'captain', 'captain', true],
    ['crew', 'crew', 'captain', true],
    ['crew', null, 'admin', true],
    ['crew', 'captain', 'admin', true],
    ['crew', undefined, 'crew', true],
    ['crew', null, 'executive', false],
    // A captain's task: the event's captain, or the office.
    ['captain', 'crew', 'crew', false],
    ['captain', 'crew', 'captain', false], // a captain in the org, crew on this event
    ['captain', null, 'captain', false],
    ['captain', undefined, 'crew', false],
    ['captain', 'captain', 'captain', true],
    ['captain', 'captain', 'crew', true], // the event's captain, whatever their org role (as the server)
    ['captain', null, 'admin', true],
    ['captain', 'crew', 'admin', true],
    ['captain', 'captain', 'admin', true],
    ['captain', null, 'executive', false],
    ['captain', 'captain', 'executive', false],
    // Roles this version does not know.
    ['captain', 'captain', 'guest', false],
    ['mate', 'crew', 'crew', true], // a newer task role: the server decides
  ];
  for (const [task, mine, session, may] of table) {
    it(`${task} task, my_role ${String(mine)}, ${session} -> ${may ? 'ticks' : 'may not tick'}`, () => {
      expect(mayTick(task, mine, session)).toBe(may);
    });
  }
});

describe("how a row says whose task it is", () => {
  const table: [string, string | null | undefined, string, ReturnType<typeof taskOwner>][] = [
    ['crew', 'crew', 'crew', { chip: null, mine: false, locked: false }],
    ['crew', null, 'admin', { chip: null, mine: false, locked: false }],
    ['captain', 'captain', 'captain', { chip: "Captain's task: yours", mine: true, locked: false }],
    ['captain', 'captain', 'crew', { chip: "Captain's task: yours", mine: true, locked: false }],
    ['captain', 'captain', 'admin', { chip: "Captain's task: yours", mine: true, locked: false }],
    ['captain', null, 'admin', { chip: "Captain's task", mine: false, locked: false }],
    ['captain', 'crew', 'crew', { chip: "Captain's task", mine: false, locked: true }],
    ['captain', 'crew', 'captain', { chip: "Captain's task", mine: false, locked: true }],
    ['captain', null, 'executive', { chip: "Captain's task", mine: false, locked: false }],
  ];
  for (const [task, mine, session, owner] of table) {
    it(`${task} task, my_role ${String(mine)}, ${session}`, () => {
      expect(taskOwner(task, mine, session)).toEqual(owner);
    });
  }
  it('is locked exactly when the person ticks tasks but not this one', () => {
    for (const task of ['crew', 'captain']) {
      for (const mine of ['captain', 'crew', null]) {
        for (const session of ['crew', 'captain', 'admin', 'executive']) {
          const o = taskOwner(task, mine, session);
          expect(o.locked).toBe(mayTick('crew', mine, session) && !mayTick(task, mine, session));
        }
      }
    }
  });
});
