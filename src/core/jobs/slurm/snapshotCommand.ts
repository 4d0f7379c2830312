// The Jobs view's refresh as ONE remote command: cluster facts, sinfo, squeue and the
// history (sacct where accounting runs, else the tail of the completion log), each section
// framed by a per-call nonce, in a single SSH exec.
// One exec costs one session on an open connection; a user's `ssh login sinfo; ssh login
// squeue; ...` pays a handshake per command (bench/ measures the difference).
import { randomBytes } from 'node:crypto';
import { shellQuote } from '../../hosts/shellQuote';
import { ACTIVE_STATE_WORDS, SEP } from './fields';
import type { HistoryPlan } from './historyCache';
import { SACCT_OPTIONS } from './sacct';
import { SINFO_ARGV } from './sinfo';
import { SQUEUE_FORMAT } from './squeue';

/** Bytes kept of each section's stdout on the remote side; more is cut there, with a warning here. */
export const SECTION_MAX_BYTES = 8 << 20;

const sinfoCommand = SINFO_ARGV.map(shellQuote).join(' ');
const squeueFormat = shellQuote(SQUEUE_FORMAT);
const sacctOptions = SACCT_OPTIONS.map(shellQuote).join(' ');

/** The history source an earlier snapshot learned: `sacct`, or the completion log's path. */
export type KnownHistory = { kind: 'sacct' } | { kind: 'jobcomp'; path: string };

// $1 nonce, $2 mine|all, $3 history jobs, $4 bytes per section, $5 the history source when
// an earlier snapshot learned it: `@sacct`, or the completion log's (absolute) path; then
// `scontrol show config`, the slowest part, is skipped (`-` = not known); $6 `full`, or
// `known` with $7 the jobs (`1-5,9`) whose steps an earlier answer gave (historyCache.ts).
// Only these reach the script, as arguments: its text is constant.
export const SNAPSHOT_SCRIPT = `n=$1; who=$2; hist=$3; max=$4; known=$5; mode=$6; have=$7
d=$(mktemp -d) || exit 70
trap 'rm -rf "$d"' EXIT
u=$(id -un)
now=$(date +%Y-%m-%dT%H:%M:%S)
# Each part runs in the background into its own files: with slurmctld down every Slurm
# command waits ~10 s before giving up, so they wait side by side, not one after another.
bg() { name=$1; shift; ( "$@" >"$d/$name.o" 2>"$d/$name.e"; echo $? >"$d/$name.rc" ) & }
emit() {
  name=$1
  [ -f "$d/$name.rc" ] || return 0
  printf '%s part %s %s %s\\n' "$n" "$name" "$(cat "$d/$name.rc")" "$(wc -c <"$d/$name.o" | tr -d ' ')"
  head -c "$max" "$d/$name.o"
  printf '\\n%s err %s\\n' "$n" "$name"
  head -c 2000 "$d/$name.e"
  printf '\\n'
}
bg sinfo ${sinfoCommand}
if [ "$who" = all ]; then bg squeue squeue -h -a --states=all -O ${squeueFormat}
else bg squeue squeue -h -a --states=all -u "$u" -O ${squeueFormat}; fi
if [ "$known" = - ]; then
  scontrol show config 2>/dev/null | grep -E '^(ClusterName|SLURM_VERSION|JobCompType|JobCompLoc|AccountingStorageType) ' >"$d/c"
elif [ "$known" = @sacct ]; then printf 'AccountingStorageType = accounting_storage/slurmdbd\\n' >"$d/c"
else printf 'JobCompType = jobcomp/filetxt\\nJobCompLoc = %s\\n' "$known" >"$d/c"; fi
ctype=$(sed -n 's/^JobCompType *= *//p' "$d/c")
cloc=$(sed -n 's/^JobCompLoc *= *//p' "$d/c")
atype=$(sed -n 's/^AccountingStorageType *= *//p' "$d/c")
sacct_who() { if [ "$who" = all ]; then sacct -a "$@"; else sacct -u "$u" "$@"; fi; }
# The rows of the last $hist jobs that have ended (a job's row, then its steps'), over the
# file twice, counting jobs where the id has no step's "."; jobs still queued or running are
# squeue's and left out, so a long queue does not push the history out. Memory stays small
# however many jobs the window holds.
last_ended() {
  awk -F '${SEP}' -v n="$hist" -v live='${ACTIVE_STATE_WORDS.join(' ')}' 'BEGIN { split(live, w, " "); for (i in w) L[w[i]] = 1 }
    FNR == 1 { pass++; k = 0; on = 0 }
    index($1, ".") == 0 { s = $5; sub(/[ +].*/, "", s); on = !(s in L); k += on }
    pass == 1 { total = k; next }
    on && k > total - n' "$1" "$1"
}
sacct_full() { sacct_who ${sacctOptions} >"$d/s" && last_ended "$d/s"; }
# Job rows only (-X), then the steps of the jobs of the last $hist whose JobIDRaw is not in
# $have, as a part of their own; the steps are most of sacct's time on the cluster. They
# are asked by JobID: an array's last task has the array's own number as its JobIDRaw, and
# -j with that number would list every task of the array. Any other shape (a
# heterogeneous job's "123+0") is asked by JobIDRaw.
sacct_known() {
  sacct_who -X ${sacctOptions} >"$d/s" || return
  last_ended "$d/s" >"$d/x"
  ids=$(awk -F '${SEP}' -v have="$have" 'BEGIN { k = split(have, r, ",")
      for (i = 1; i <= k; i++) if (split(r[i], ab, "-") == 2 && ab[2] - ab[1] <= 10000) { for (j = ab[1] + 0; j <= ab[2] + 0; j++) H[j] = 1 } else H[r[i]] = 1 }
    !($2 in H) { printf "%s%s", c, ($1 ~ /^[0-9]+(_[0-9]+)?$/ ? $1 : $2); c = "," }' "$d/x")
  cat "$d/x"
  [ -n "$ids" ] || return 0
  sacct_who ${sacctOptions} -j "$ids" >"$d/t" 2>"$d/steps.e"; echo $? >"$d/steps.rc"
  awk -F '${SEP}' 'index($1, ".")' "$d/t" >"$d/steps.o"
}
if [ "$atype" = accounting_storage/slurmdbd ]; then
  if [ "$mode" = known ]; then bg sacct sacct_known; else bg sacct sacct_full; fi
elif [ "$ctype" = jobcomp/filetxt ] && [ -r "$cloc" ]; then
  bg jobcomp sh -c 'tail -c 16000000 "$1" | grep -F "UserId=$2(" | tail -n "$3"' sh "$cloc" "$u" "$hist"
fi
wait
printf '%s meta\\nuser=%s\\nnow=%s\\n' "$n" "$u" "$now"
[ "$known" = - ] && cat "$d/c"
emit sinfo; emit squeue; emit sacct; emit steps; emit jobcomp
printf '%s end\\n' "$n"
`;

export function snapshotArgv(
  opts: { allUsers?: boolean; historyLimit?: number; known?: KnownHistory; history?: HistoryPlan },
  nonce = `@@mlops-${randomBytes(8).toString('hex')}`,
): string[] {
  const hist = Math.max(0, Math.min(10000, Math.floor(opts.historyLimit ?? 200)));
  const plan = opts.history ?? { mode: 'full' };
  return [
    'sh',
    '-c',
    SNAPSHOT_SCRIPT,
    'sh',
    nonce,
    opts.allUsers ? 'all' : 'mine',
    String(hist),
    String(SECTION_MAX_BYTES),
    opts.known?.kind === 'sacct' ? '@sacct' : opts.known?.path || '-',
    plan.mode,
    plan.mode === 'known' ? plan.ranges : '',
  ];
}

export interface Section {
  rc: number;
  /** Bytes the command wrote; more than `stdout` holds when it was cut. */
  bytes: number;
  stdout: string;
  stderr: string;
}

export interface SnapshotOutput {
  user: string;
  /** The cluster's clock as the query began (`date`, the format sacct prints times in). */
  now?: string;
  config: Map<string, string>;
  sections: Map<string, Section>;
  /** The `end` marker came: nothing was cut off on the way. */
  complete: boolean;
}

/** Splits the framed output; anything a login script printed before the first frame is ignored. */
export function splitSnapshot(stdout: string, nonce: string): SnapshotOutput {
  const chunks = stdout.split(`\n${nonce} `);
  // The first frame has no newline before it when nothing was printed ahead of it.
  const first = chunks[0].indexOf(`${nonce} `);
  chunks[0] = first >= 0 ? chunks[0].slice(first + nonce.length + 1) : '';
  const out: SnapshotOutput = { user: '', config: new Map(), sections: new Map(), complete: false };
  let current: Section | undefined;
  for (const chunk of chunks) {
    const nl = chunk.indexOf('\n');
    const head = nl < 0 ? chunk : chunk.slice(0, nl);
    const body = nl < 0 ? '' : chunk.slice(nl + 1);
    const words = head.split(' ');
    if (words[0] === 'meta') {
      for (const line of body.split('\n')) {
        const u = /^user=(.*)$/.exec(line);
        const now = /^now=(.*)$/.exec(line);
        if (u) out.user = u[1];
        else if (now) out.now = now[1];
        const c = /^(\w+)\s*=\s*(.*)$/.exec(line);
        if (c && !u && !now) out.config.set(c[1], c[2].trim());
      }
    } else if (words[0] === 'part' && words.length === 4) {
      current = { rc: Number(words[2]), bytes: Number(words[3]), stdout: body, stderr: '' };
      out.sections.set(words[1], current);
    } else if (words[0] === 'err' && current) {
      current.stderr = body.replace(/\n$/, '');
      current = undefined;
    } else if (words[0] === 'end') out.complete = true;
  }
  return out;
}
