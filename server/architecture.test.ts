/** The inward dependency rule is enforced by lint: these cases prove the rule bites where it must and nowhere else. */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Only the restriction rules, without type information, so probe files need not exist on disk.
const eslint = new ESLint({
  ruleFilter: ({ ruleId }) => ruleId.startsWith('no-restricted-'),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function restrictedMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-properties' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('dependency rule', () => {
  it.each([
    ['server/twin/probe.ts', "import pg from 'pg';\nexport const x = pg;\n"],
    ['server/twin/probe.ts', "import { createApp } from '../api/app.ts';\nexport const x = createApp;\n"],
    ['server/twin/layout/probe.ts', "import { PgEventStore } from '../../store/event-store.pg.ts';\nexport const x = PgEventStore;\n"],
    ['solver/routing/probe.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['simulations/engine/probe.ts', 'export const x = Date.now();\n'],
    ['simulations/shift/probe.ts', 'export const x = Math.random();\n'],
    ['simulations/model/probe.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;\n"],
    ['simulations/scenario/probe.ts', "import { z } from 'zod';\nexport const x = z;\n"],
    ['simulations/faults/probe.ts', 'export const x = Date.now();\n'],
    ['solver/lp/probe.ts', "import loadHighs from 'highs';\nexport const x = loadHighs;\n"],
    ['server/twin/probe.ts', 'setTimeout(() => undefined, 1);\n'],
  ])('refuses in the core: %s %#', async (filePath, code) => {
    expect(await restrictedMessages(filePath, code)).not.toEqual([]);
  });

  it('lets adapters import the core and their libraries', async () => {
    const code = "import pg from 'pg';\nimport { decide } from '../twin/twin.ts';\nexport const x = [pg, decide, Date.now()];\n";
    expect(await restrictedMessages('server/store/probe.ts', code)).toEqual([]);
  });
});
