// Generated filters for the search-grammar test: clauses of every entity type with the
// comparators and values MLflow allows and some it refuses, joined by `and` in any case and
// spacing. A fixed seed, so a failure names a filter that fails again.

function prng(seed: number): () => number {
  // mulberry32: small, and enough to spread the picks.
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatedFilters(count: number, seed = 15): string[] {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const w = () => pick([' ', ' ', ' ', '  ', '', '\t', '\n']);
  const num = ['0.5', '-1', '1e-3', '.5', '5.', '1E2', '-0.5', '0', '0.91', '1e308', '-2.5', '01', '1e10', '2', "'1'", '1e+3'];
  const str = ["'adam'", '"adam"', "'a%'", "'%A%'", "'_dam'", "'0.1'", "'FINISHED'", "'alice'", "''", "'it''s'", '"it\'s"', "'%'", "'V%'", "'%two'", "'vision'", "'%i%'", "'%_%'", "'RUNNING'", "'%e'", "'bob'", "'%.%'", 'adam', '0.1'];
  const strOps = ['=', '!=', 'LIKE', 'like', 'ILIKE', 'Ilike', '>', '<>'];
  const numOps = ['=', '!=', '>', '>=', '<', '<=', '==', 'LIKE'];
  const gens: (() => string)[] = [
    () => `${pick(['metrics.acc', 'metrics.loss', 'metrics.`a b`', 'metrics."a b"', 'metric.neg', 'metrics.val.acc', '`metrics`.acc'])}${w()}${pick(numOps)}${w()}${pick(num)}`,
    () => `${pick(['params.optimizer', 'params.lr', "params.'lr'", 'params.`optimizer`', 'param.layers', 'tags.team', 'tags.mlflow.user', 'tags."mlflow.user"', 'tags.`a b`', 'tags.quote'])}${w()}${pick(strOps)}${w()}${pick(str)}`,
    () => `${pick(['params.optimizer', 'params.lr', 'tags.team', 'tags.`mlflow.note.content`', 'metrics.acc', 'status'])} ${pick(['IS NULL', 'is not null', 'IS NOT NULL', 'is null'])}`,
    () => `${pick(['attributes.status', 'status', 'run_name', 'run.run_name', '`Run name`', 'attributes.user_id', 'attr.artifact_uri', 'attributes.run_id'])}${w()}${pick(strOps)}${w()}${pick(str)}`,
    () => `${pick(['attributes.start_time', 'created', 'Created', 'attributes.end_time'])}${w()}${pick(numOps)}${w()}${pick(['1700000005000', '0', '1.7e12', '1700000000500', '1700000011500', '-1', "'0'"])}`,
  ];
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(rnd() * 3);
    return Array.from({ length: n }, () => pick(gens)()).join(pick([' and ', ' AND ', ' aNd ', '\nand\n']));
  });
}
