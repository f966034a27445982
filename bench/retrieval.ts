/**
 * Retrieval: how fast the knowledge core indexes a repository's code and answers questions about it,
 * and how often the answer is in the top 5 hits, on the embedded default (PGlite + pgvector + the
 * offline 512-dim embedder), beside floors measured in the same run.
 *
 * Corpora: the bundled example repository (examples/todo-api) and axios 1.7.9's `lib/` (vendored in
 * bench/corpora/axios), each copied into a temp git repository, committed, registered as a repository
 * of one organization and indexed with `indexRepository` (git ls-tree at the head, tree-sitter
 * chunking, embedding, pgvector) — the same code path as the `index-repository` Inngest function.
 *
 * Questions: bench/retrieval-questions.json (labelled by hand; see its `readme`). For each question
 * and mode (`vector`, `fulltext`, `hybrid`), `searchKnowledge(limit 5)`: recall@5 = share of
 * questions with at least one of the top 5 hits overlapping an expected range of the same path;
 * MRR@5 = mean of 1 / rank of the first such hit (0 when none).
 *
 * Floors (same process, same moment): index time ÷ the raw embedder time for exactly the chunk texts
 * the indexer embedded (`embedTexts`, same batches); query latency ÷ a `SELECT 1` round trip through
 * the same drizzle/postgres.js pool; the query's own embedding time is shown beside vector/hybrid.
 *
 * `tsx bench/retrieval.ts [--quick] [--json]` — `--quick`: 1 indexing repetition and 2 timed runs per
 * query (a smoke test); `--json`: the result as JSON on stdout instead of the tables. Writes
 * bench/results/retrieval.json either way. Not timed assertions: figures only.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Database } from "@/db/client";
import { machine, onShutdown, QUICK, ROOT, watchdog, writeResult } from "./lib/common";
import { createBenchDatabase } from "./lib/database";
import { ms, num, printTable, ratio, rounded, summarize, type Summary } from "./lib/stats";

// The embedded default: the offline embedder and pgvector, whatever this shell has set. Set before the
// app's modules (and `lib/env`, which reads the environment once) are imported below.
process.env.KNOWLEDGE_EMBEDDER = "local";
delete process.env.PINECONE_API_KEY;

const NAME = "retrieval";
const JSON_OUT = process.argv.includes("--json");
const K = 5;
/** Indexing repetitions per corpus (each re-indexes from empty) and floor repetitions. */
const INDEX_REPS = QUICK ? 1 : 3;
/** Timed runs per question and mode, after one untimed warm-up run. */
const QUERY_RUNS = QUICK ? 2 : 5;
const SELECT1_RUNS = QUICK ? 100 : 300;
/** The goal from issue 13, on the embedded default. */
const GOAL = { hybridRecallAt5: 0.8, queryP95Ms: 50 } as const;
const MODES = ["vector", "fulltext", "hybrid"] as const;
type Mode = (typeof MODES)[number];
/**
 * What-if rankings (bench-only SQL, not the app's): full text ordered first by how many distinct query
 * words a chunk contains, then by ts_rank_cd; and that list fused with the app's vector list by
 * reciprocal rank with k = 10 and the vector list weighted 0.5. What the change proposed in
 * BENCHMARKS.md (Retrieval) would buy — measured, not applied to lib/knowledge.
 */
const WHAT_IFS = ["fulltext-coverage", "hybrid-coverage-weighted"] as const;
type WhatIf = (typeof WHAT_IFS)[number];
const WHAT_IF_RRF = { k: 10, vectorWeight: 0.5, fullTextWeight: 1, candidates: 20 } as const;

type Range = { path: string; startLine: number; endLine: number };
type Question = { corpus: string; question: string; expected: Range[] };
type Corpus = { name: string; source: string; description: string };

const CORPORA: Corpus[] = [
  { name: "todo-api", source: path.join(ROOT, "examples", "todo-api"), description: "examples/todo-api (bundled example)" },
  { name: "axios", source: path.join(ROOT, "bench", "corpora", "axios"), description: "axios 1.7.9 lib/ (bench/corpora/axios)" },
];

const log = (m: string) => (JSON_OUT ? process.stderr : process.stdout).write(`${m}\n`);

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Bench", "-c", "user.email=bench@example.test", "-c", "commit.gpgsign=false", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z" },
  }).trim();
}

/** Copies a corpus into `<dir>/<name>` as a one-commit git repository on `main`; returns its path and head. */
function materialise(corpus: Corpus, dir: string): { repoPath: string; commit: string } {
  const repoPath = path.join(dir, corpus.name);
  cpSync(corpus.source, repoPath, { recursive: true, filter: (src) => !["node_modules", ".git"].includes(path.basename(src)) });
  git(repoPath, "init", "--quiet", "--initial-branch=main");
  git(repoPath, "add", "--all");
  git(repoPath, "commit", "--quiet", "-m", `Import ${corpus.name}`);
  return { repoPath, commit: git(repoPath, "rev-parse", "HEAD") };
}

function loadQuestions(): Question[] {
  const file = path.join(ROOT, "bench", "retrieval-questions.json");
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { questions: Question[] };
  for (const q of parsed.questions) {
    const corpus = CORPORA.find((c) => c.name === q.corpus);
    if (!corpus) throw new Error(`question "${q.question}": unknown corpus ${q.corpus}`);
    if (!q.expected.length) throw new Error(`question "${q.question}": no expected range`);
    for (const r of q.expected) {
      const lines = readFileSync(path.join(corpus.source, r.path), "utf8").split("\n").length;
      if (!(r.startLine >= 1 && r.endLine >= r.startLine && r.endLine <= lines)) {
        throw new Error(`question "${q.question}": ${r.path}:${r.startLine}-${r.endLine} is outside the file (${lines} lines)`);
      }
    }
  }
  return parsed.questions;
}

const overlaps = (hit: Range, r: Range) => hit.path === r.path && hit.startLine <= r.endLine && hit.endLine >= r.startLine;
/** 1-based rank of the first hit overlapping an expected range, or null. */
const firstRelevantRank = (hits: Range[], expected: Range[]) => {
  const i = hits.findIndex((h) => expected.some((r) => overlaps(h, r)));
  return i < 0 ? null : i + 1;
};

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export type CorpusResult = {
  corpus: string;
  description: string;
  commit: string;
  files: number;
  chunks: number;
  /** Wall time of `indexRepository` from an empty index, per repetition. */
  indexMs: number[];
  /** `embedTexts` on exactly the indexed chunk texts (`path\ntext`), one call per file as the indexer makes them, per repetition: the floor. */
  embedFloorMs: number[];
  /** The same texts in a single `embedTexts` call (batches of 64 across files), once; for comparison. */
  embedOneCallMs: number;
  /** `chunkFile` on every indexed file, once (part of the index time, not of the floor). */
  chunkingMs: number;
  questions: number;
  latencyMs: Record<Mode, Summary>;
  /** `embedTexts([question])` alone, per question and run: what vector/hybrid pay before any SQL. */
  queryEmbedMs: Summary;
  recallAt5: Record<Mode, number>;
  mrrAt5: Record<Mode, number>;
  /** The what-if rankings (see WHAT_IFS): recall@5 and MRR@5. */
  whatIf: Record<WhatIf, { recallAt5: number; mrrAt5: number }>;
  perQuestion: { question: string; rank: Record<Mode, number | null>; whatIfRank: Record<WhatIf, number | null>; hybridTop: string[] }[];
};

async function main() {
  const limit = watchdog(15 * 60_000, "bench:retrieval");
  const started = Date.now();
  // App modules after the environment above is settled (static imports would evaluate `lib/env` first).
  const { createDatabase } = await import("@/db/client");
  const { runMigrations } = await import("@/db/migrate");
  const { organization, repositories, knowledgeChunks } = await import("@/db/schema");
  const { and, asc, eq, isNull, or, sql } = await import("drizzle-orm");
  const knowledge = await import("@/lib/knowledge");
  const { embedTexts } = await import("@/lib/knowledge/embeddings");

  const questions = loadQuestions();
  const work = mkdtempSync(path.join(tmpdir(), "squadron-bench-retrieval-"));
  const removeWork = onShutdown(async () => rmSync(work, { recursive: true, force: true }));
  const database = await createBenchDatabase("pglite");
  const stopDatabase = onShutdown(() => database.stop());
  await runMigrations(database.url);
  const handle = createDatabase(database.url);
  const db: Database = handle.db;

  try {
    const store = await knowledge.vectorStoreFor(db);
    if (store.kind !== "pgvector") throw new Error(`expected the pgvector store on PGlite, got ${store.kind}: ${store.reason}`);
    const embedder = knowledge.activeEmbedder();
    const organizationId = "org_bench_retrieval";
    await db.insert(organization).values({ id: organizationId, name: "Bench", slug: "bench-retrieval" });

    // Warm-ups (not recorded): the embedder's model load and the tree-sitter grammar load.
    const modelLoad = await timed(() => embedTexts(["warm up the offline embedder"]));
    await knowledge.chunkFile("warm.js", "export function warm() {\n  return 1;\n}\n");
    log(`[bench] store ${store.kind}, embedder ${embedder.name} (model load ${ms(modelLoad.ms)} ms), ${INDEX_REPS} indexing run(s), ${QUERY_RUNS} timed run(s) per query`);

    // SELECT 1 through the same pool: the least any query costs.
    for (let i = 0; i < 20; i++) await db.execute(sql`select 1`);
    const select1: number[] = [];
    for (let i = 0; i < SELECT1_RUNS; i++) select1.push((await timed(() => db.execute(sql`select 1`))).ms);

    const repos: { corpus: Corpus; repositoryId: string; commit: string; repoPath: string }[] = [];
    for (const corpus of CORPORA) {
      const { repoPath, commit } = materialise(corpus, work);
      const [row] = await db
        .insert(repositories)
        .values({ organizationId, name: corpus.name, localPath: repoPath, defaultBranch: "main", webhookSecretEncrypted: "unused" })
        .returning({ id: repositories.id });
      repos.push({ corpus, repositoryId: row!.id, commit, repoPath });
    }

    const results: CorpusResult[] = [];
    // Index every corpus first (both live in one organization, as a tenant's repositories do), then query.
    const indexed = new Map<string, { indexMs: number[]; embedFloorMs: number[]; embedOneCallMs: number; chunkingMs: number; files: number; chunks: number }>();
    for (const { corpus, repositoryId, repoPath } of repos) {
      const scope = { organizationId, repositoryId };
      const indexMs: number[] = [];
      let status: Awaited<ReturnType<typeof knowledge.indexRepository>> = null;
      for (let rep = 0; rep < INDEX_REPS; rep++) {
        if (rep > 0) await knowledge.deleteBySource(db, { ...scope, source: "code" });
        const run = await timed(() => knowledge.indexRepository(db, scope));
        status = run.value;
        if (status?.status !== "indexed") throw new Error(`${corpus.name}: indexing ended ${status?.status}: ${status?.error}`);
        indexMs.push(run.ms);
        log(`[bench] ${corpus.name}: indexed ${status.filesTotal} files, ${status.chunks} chunks in ${ms(run.ms)} ms`);
      }
      const rows = await db
        .select({ path: knowledgeChunks.path, content: knowledgeChunks.content })
        .from(knowledgeChunks)
        .where(and(eq(knowledgeChunks.organizationId, organizationId), eq(knowledgeChunks.repositoryId, repositoryId), eq(knowledgeChunks.source, "code")))
        .orderBy(asc(knowledgeChunks.path), asc(knowledgeChunks.startLine));
      // Same text the indexer embeds (`embeddingText` in lib/knowledge/index-chunks.ts: path, newline, text).
      // Grouped per file, as the indexer calls the embedder (one `embedTexts` per file).
      const byFile = new Map<string, string[]>();
      for (const r of rows) byFile.set(r.path, [...(byFile.get(r.path) ?? []), `${r.path}\n${r.content}`]);
      const embedFloorMs: number[] = [];
      for (let rep = 0; rep < INDEX_REPS; rep++) {
        embedFloorMs.push(
          (
            await timed(async () => {
              for (const texts of byFile.values()) await embedTexts(texts);
            })
          ).ms,
        );
      }
      // The same texts in one call (batches of 64 across files), for comparison only.
      const oneCall = await timed(() => embedTexts(rows.map((r) => `${r.path}\n${r.content}`)));
      const files = [...byFile.keys()];
      const chunking = await timed(async () => {
        for (const f of files) await knowledge.chunkFile(f, readFileSync(path.join(repoPath, f), "utf8"));
      });
      indexed.set(corpus.name, { indexMs, embedFloorMs, embedOneCallMs: oneCall.ms, chunkingMs: chunking.ms, files: status?.filesTotal ?? files.length, chunks: rows.length });
    }

    for (const { corpus, repositoryId, commit } of repos) {
      const qs = questions.filter((q) => q.corpus === corpus.name);
      const latencies: Record<Mode, number[]> = { vector: [], fulltext: [], hybrid: [] };
      const ranks = qs.map(() => ({}) as Record<Mode, number | null>);
      const whatIfRanks = qs.map(() => ({}) as Record<WhatIf, number | null>);
      const hybridTop: string[][] = qs.map(() => []);
      const queryEmbed: number[] = [];
      const search = (query: string, mode: Mode) => knowledge.searchKnowledge(db, { organizationId, repositoryId, query, limit: K, mode });
      const coverageFullText = async (query: string, n: number) => {
        const anyWord = sql`replace(plainto_tsquery('english', ${query})::text, ' & ', ' | ')::tsquery`;
        const words = sql`array(select quote_literal(l)::tsquery from unnest(tsvector_to_array(to_tsvector('english', ${query}))) as l)`;
        const coverage = sql`(select count(*) from unnest(${words}) as w where ${knowledgeChunks.searchVector} @@ w)`;
        const rank = sql`ts_rank_cd(${knowledgeChunks.searchVector}, ${anyWord})`;
        return db
          .select({ id: knowledgeChunks.id, path: knowledgeChunks.path, startLine: knowledgeChunks.startLine, endLine: knowledgeChunks.endLine })
          .from(knowledgeChunks)
          .where(
            and(
              eq(knowledgeChunks.organizationId, organizationId),
              or(eq(knowledgeChunks.repositoryId, repositoryId), isNull(knowledgeChunks.repositoryId)),
              sql`${knowledgeChunks.searchVector} @@ ${anyWord}`,
            ),
          )
          .orderBy(sql`${coverage} desc`, sql`${rank} desc`, knowledgeChunks.id)
          .limit(n);
      };
      const whatIfHits = async (query: string): Promise<Record<WhatIf, Range[]>> => {
        const fullText = await coverageFullText(query, WHAT_IF_RRF.candidates);
        const vector = await knowledge.searchKnowledge(db, { organizationId, repositoryId, query, limit: WHAT_IF_RRF.candidates, mode: "vector" });
        const fused = new Map<string, { hit: Range; score: number }>();
        const fuse = (hits: Range[], weight: number) =>
          hits.forEach((hit, i) => {
            const key = `${hit.path}:${hit.startLine}`;
            fused.set(key, { hit, score: (fused.get(key)?.score ?? 0) + weight / (WHAT_IF_RRF.k + i + 1) });
          });
        fuse(vector, WHAT_IF_RRF.vectorWeight);
        fuse(fullText, WHAT_IF_RRF.fullTextWeight);
        const hybrid = [...fused.values()].sort((a, b) => b.score - a.score).map((f) => f.hit);
        return { "fulltext-coverage": fullText.slice(0, K), "hybrid-coverage-weighted": hybrid.slice(0, K) };
      };
      // Warm-up run (untimed): also the run whose hits are scored. Retrieval is deterministic for a given
      // index, but ties are broken by chunk id (a random UUID), so a re-index can reorder tied hits.
      for (const [i, q] of qs.entries()) {
        for (const mode of MODES) {
          const hits = await search(q.question, mode);
          ranks[i]![mode] = firstRelevantRank(hits, q.expected);
          if (mode === "hybrid") hybridTop[i] = hits.map((h) => knowledge.citationOf(h));
        }
        const alt = await whatIfHits(q.question);
        for (const w of WHAT_IFS) whatIfRanks[i]![w] = firstRelevantRank(alt[w], q.expected);
      }
      // Timed runs, modes interleaved so a change in background load hits all three alike.
      for (let run = 0; run < QUERY_RUNS; run++) {
        for (const q of qs) {
          for (const mode of MODES) latencies[mode].push((await timed(() => search(q.question, mode))).ms);
          queryEmbed.push((await timed(() => embedTexts([q.question]))).ms);
        }
      }
      const recallOf = (rs: (number | null)[]) => rs.filter((r) => r !== null).length / qs.length;
      const mrrOf = (rs: (number | null)[]) => rs.reduce<number>((s, r) => s + (r ? 1 / r : 0), 0) / qs.length;
      const recall = (mode: Mode) => recallOf(ranks.map((r) => r[mode]));
      const mrr = (mode: Mode) => mrrOf(ranks.map((r) => r[mode]));
      const whatIf = Object.fromEntries(
        WHAT_IFS.map((w) => [w, { recallAt5: recallOf(whatIfRanks.map((r) => r[w])), mrrAt5: mrrOf(whatIfRanks.map((r) => r[w])) }]),
      ) as Record<WhatIf, { recallAt5: number; mrrAt5: number }>;
      const ix = indexed.get(corpus.name)!;
      results.push({
        corpus: corpus.name,
        description: corpus.description,
        commit,
        files: ix.files,
        chunks: ix.chunks,
        indexMs: ix.indexMs.map((v) => Math.round(v)),
        embedFloorMs: ix.embedFloorMs.map((v) => Math.round(v)),
        embedOneCallMs: Math.round(ix.embedOneCallMs),
        chunkingMs: Math.round(ix.chunkingMs),
        questions: qs.length,
        latencyMs: { vector: rounded(summarize(latencies.vector)), fulltext: rounded(summarize(latencies.fulltext)), hybrid: rounded(summarize(latencies.hybrid)) },
        queryEmbedMs: rounded(summarize(queryEmbed)),
        recallAt5: { vector: recall("vector"), fulltext: recall("fulltext"), hybrid: recall("hybrid") },
        mrrAt5: { vector: mrr("vector"), fulltext: mrr("fulltext"), hybrid: mrr("hybrid") },
        whatIf,
        perQuestion: qs.map((q, i) => ({ question: q.question, rank: ranks[i]!, whatIfRank: whatIfRanks[i]!, hybridTop: hybridTop[i]! })),
      });
    }

    // All questions together, and the hybrid latency over every corpus's queries.
    const total = results.reduce((s, r) => s + r.questions, 0);
    const overall = (mode: Mode) => results.reduce((s, r) => s + r.recallAt5[mode] * r.questions, 0) / total;
    const overallMrr = (mode: Mode) => results.reduce((s, r) => s + r.mrrAt5[mode] * r.questions, 0) / total;
    const overallWhatIf = (w: WhatIf, key: "recallAt5" | "mrrAt5") => results.reduce((s, r) => s + r.whatIf[w][key] * r.questions, 0) / total;
    const select1Summary = rounded(summarize(select1));
    const worstHybridP95 = Math.max(...results.map((r) => r.latencyMs.hybrid.p95));
    const meets = {
      hybridRecall: results.every((r) => r.recallAt5.hybrid >= GOAL.hybridRecallAt5),
      // Hybrid is the mode the app uses (briefs, search_knowledge, the search API); the others are diagnostics.
      queryP95: results.every((r) => r.latencyMs.hybrid.p95 <= GOAL.queryP95Ms),
    };
    const output = {
      name: NAME,
      generatedAt: new Date().toISOString(),
      quick: QUICK,
      machine: await machine(),
      store: store.kind,
      embedder: embedder.name,
      whatIfSettings: WHAT_IF_RRF,
      settings: { k: K, indexReps: INDEX_REPS, queryRuns: QUERY_RUNS, select1Runs: SELECT1_RUNS, indexBatchFiles: knowledge.INDEX_BATCH_FILES },
      goal: GOAL,
      meets,
      modelLoadMs: Math.round(modelLoad.ms),
      select1Ms: select1Summary,
      overall: {
        questions: total,
        recallAt5: { vector: overall("vector"), fulltext: overall("fulltext"), hybrid: overall("hybrid") },
        mrrAt5: { vector: overallMrr("vector"), fulltext: overallMrr("fulltext"), hybrid: overallMrr("hybrid") },
        whatIf: Object.fromEntries(WHAT_IFS.map((w) => [w, { recallAt5: overallWhatIf(w, "recallAt5"), mrrAt5: overallWhatIf(w, "mrrAt5") }])),
        worstHybridP95Ms: worstHybridP95,
      },
      corpora: results,
      wallSeconds: Math.round((Date.now() - started) / 1000),
    };
    const file = writeResult(NAME, output);

    if (JSON_OUT) {
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    } else {
      const median = (v: number[]) => summarize(v).p50;
      printTable(
        `Indexing (indexRepository from empty; median of ${INDEX_REPS}; floor = embedTexts on the same chunk texts)`,
        ["corpus", "files", "chunks", "index ms", "ms / 1,000 chunks", "embedder floor ms", "index ÷ floor", "chunking ms"],
        results.map((r) => [
          r.corpus,
          String(r.files),
          String(r.chunks),
          ms(median(r.indexMs)),
          ms((median(r.indexMs) / r.chunks) * 1000),
          ms(median(r.embedFloorMs)),
          ratio(median(r.indexMs), median(r.embedFloorMs)),
          ms(r.chunkingMs),
        ]),
      );
      printTable(
        `Query latency (warm, limit ${K}, ${QUERY_RUNS} runs per question; floor = SELECT 1 through the same pool, p50 ${ms(select1Summary.p50)} / p95 ${ms(select1Summary.p95)} ms)`,
        ["corpus", "mode", "p50 / p95 ms", "p95 ÷ SELECT 1 p95", "query embedding p50 / p95 ms"],
        results.flatMap((r) =>
          MODES.map((m) => [
            r.corpus,
            m,
            `${ms(r.latencyMs[m].p50)} / ${ms(r.latencyMs[m].p95)}`,
            ratio(r.latencyMs[m].p95, select1Summary.p95),
            m === "fulltext" ? "–" : `${ms(r.queryEmbedMs.p50)} / ${ms(r.queryEmbedMs.p95)}`,
          ]),
        ),
      );
      printTable(
        `Recall@${K} (share of questions with a top-${K} hit overlapping an expected range) and MRR@${K}`,
        ["corpus", "questions", "vector", "full text", "hybrid", "hybrid MRR@5"],
        [
          ...results.map((r) => [r.corpus, String(r.questions), num(r.recallAt5.vector, 2), num(r.recallAt5.fulltext, 2), num(r.recallAt5.hybrid, 2), num(r.mrrAt5.hybrid, 2)]),
          ["all", String(total), num(overall("vector"), 2), num(overall("fulltext"), 2), num(overall("hybrid"), 2), num(overallMrr("hybrid"), 2)],
        ],
      );
      printTable(
        `What-if (bench-only SQL, lib/knowledge unchanged): full text ranked by distinct query words matched, then ts_rank_cd; fused with the vector list (RRF k = ${WHAT_IF_RRF.k}, vector weight ${WHAT_IF_RRF.vectorWeight})`,
        ["corpus", "questions", "full text (coverage) recall@5", "hybrid (coverage, weighted) recall@5", "hybrid (coverage, weighted) MRR@5"],
        [
          ...results.map((r) => [
            r.corpus,
            String(r.questions),
            num(r.whatIf["fulltext-coverage"].recallAt5, 2),
            num(r.whatIf["hybrid-coverage-weighted"].recallAt5, 2),
            num(r.whatIf["hybrid-coverage-weighted"].mrrAt5, 2),
          ]),
          ["all", String(total), num(overallWhatIf("fulltext-coverage", "recallAt5"), 2), num(overallWhatIf("hybrid-coverage-weighted", "recallAt5"), 2), num(overallWhatIf("hybrid-coverage-weighted", "mrrAt5"), 2)],
        ],
      );
      const misses = results.flatMap((r) => r.perQuestion.filter((q) => q.rank.hybrid === null).map((q) => [r.corpus, q.question, q.hybridTop.join(", ")]));
      if (misses.length) printTable("Hybrid misses (question → top hits)", ["corpus", "question", "top hits"], misses);
      console.log(
        `Goal (embedded default): hybrid recall@5 ≥ ${GOAL.hybridRecallAt5} — ${meets.hybridRecall ? "met" : "not met"}; hybrid query p95 ≤ ${GOAL.queryP95Ms} ms — ${meets.queryP95 ? "met" : "not met"}.`,
      );
      console.log(`Wrote ${path.relative(ROOT, file)} (${output.wallSeconds} s).`);
    }
  } finally {
    await handle.sql.end({ timeout: 5 });
    await database.stop();
    stopDatabase();
    rmSync(work, { recursive: true, force: true });
    removeWork();
    clearTimeout(limit);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
