/**
 * inngest/local building blocks without a database: cron parsing as Inngest accepts it, next ticks
 * (boundaries, time zones), Inngest's wildcard rule, signing primitives (the SDK spec's hashed-key
 * example), and how signed answers are classified.
 */
import { nextFireAfter, parseCron } from "@/inngest/local/cron";
import { classifyResponse } from "@/inngest/local/engine";
import { eventNameMatches } from "@/inngest/local/functions";
import { canonicalJson, hashSigningKey, signBody, signingKeyProblem, verifySignature } from "@/inngest/local/signing";

const KEY = `signkey-prod-${"ab".repeat(32)}`;

describe("cron triggers", () => {
  it.each([
    ["* * * * *", "UTC"],
    ["0 9 * * MON-FRI", "UTC"],
    ["*/15 0-6 1,15 JAN-MAR ?", "UTC"],
    ["TZ=Europe/Paris 0 9 * * *", "Europe/Paris"],
    ["CRON_TZ=America/New_York 30 8 * * 1", "America/New_York"],
  ])("accepts %s", (cron, tz) => {
    const parsed = parseCron(cron);
    expect(parsed.ok && parsed.spec.tz).toBe(tz);
  });

  it.each([
    ["* * * * * *", "Inngest has no seconds field"],
    ["@daily", "descriptors such as @daily are not accepted"],
    ["0 0 L * *", "syntax Inngest does not accept"],
    ["0 0 * * 1#2", "syntax Inngest does not accept"],
    ["61 * * * *", "61"],
    ["TZ=Nowhere/City 0 9 * * *", 'unknown time zone "Nowhere/City"'],
  ])("rejects %s", (cron, message) => {
    const parsed = parseCron(cron);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.error).toContain(message);
  });

  it("gives the first tick strictly after the given time", () => {
    const parsed = parseCron("* * * * *");
    if (!parsed.ok) throw new Error(parsed.error);
    expect(new Date(nextFireAfter(parsed.spec, Date.parse("2031-01-06T09:00:00.000Z"))).toISOString()).toBe("2031-01-06T09:01:00.000Z");
    expect(new Date(nextFireAfter(parsed.spec, Date.parse("2031-01-06T08:59:59.999Z"))).toISOString()).toBe("2031-01-06T09:00:00.000Z");
  });

  it("counts ticks in the TZ= zone, across a daylight saving change", () => {
    const parsed = parseCron("TZ=Europe/Paris 0 9 * * *");
    if (!parsed.ok) throw new Error(parsed.error);
    expect(new Date(nextFireAfter(parsed.spec, Date.parse("2031-03-29T12:00:00Z"))).toISOString()).toBe("2031-03-30T07:00:00.000Z");
    expect(new Date(nextFireAfter(parsed.spec, Date.parse("2031-03-28T12:00:00Z"))).toISOString()).toBe("2031-03-29T08:00:00.000Z");
  });
});

describe("event name wildcards, as Inngest matches them", () => {
  it.each([
    ["app/*", "app/user.created", true],
    ["app/user.*", "app/user.created", true],
    ["app/*", "app/", false],
    ["app/*", "other/x", false],
    ["app/us*", "app/user.created", false],
    ["app/user.created", "app/user.created", true],
  ])("%s vs %s → %s", (pattern, name, expected) => {
    expect(eventNameMatches(pattern, name)).toBe(expected);
  });
});

describe("signing", () => {
  it("hashes the signing key like the SDK spec's example", () => {
    expect(hashSigningKey("signkey-prod-12345678")).toBe(
      "signkey-prod-b2ed992186a5cb19f6668aade821f502c1d00970dfd0e35128d51bac4649916c",
    );
  });

  it("refuses keys the SDK could not use", () => {
    expect(signingKeyProblem(KEY)).toBeNull();
    expect(signingKeyProblem("signkey-prod-xyz")).toMatch(/must be hex/);
    expect(signingKeyProblem("signkey-prod-")).toMatch(/empty/);
  });

  it("signs the canonical body with the key's text, and verifies within 5 minutes only", () => {
    const body = canonicalJson({ b: 1, a: [2, { d: "é", c: null }] });
    expect(body).toBe('{"a":[2,{"c":null,"d":"é"}],"b":1}');
    const now = Date.parse("2031-01-01T00:00:00Z");
    const header = signBody(KEY, body, now);
    expect(header).toMatch(/^t=1924992000&s=[0-9a-f]{64}$/);
    expect(verifySignature(header, body, [KEY], now + 60_000)).toBeNull();
    expect(verifySignature(header, body, [KEY], now + 6 * 60_000)).toBe("signature has expired");
    expect(verifySignature(header, `${body} `, [KEY], now)).toBe("signature does not match the signing key");
    expect(verifySignature(header, body, [`signkey-prod-${"cd".repeat(32)}`, KEY], now)).toBeNull(); // a fallback key
    expect(verifySignature("s=abc", body, [KEY], now)).toBe("malformed signature header");
  });

  it("refuses a signed answer whose signature does not match, also inside a streamed answer", () => {
    const body = JSON.stringify([{ id: "h1", op: "StepRun", data: { amount: 100 } }]);
    const good = { status: 206, headers: { "x-inngest-signature": signBody(KEY, body) }, body };
    expect(classifyResponse(good, "http://app", Date.now(), [KEY]).type).toBe("ops");
    const tampered = { ...good, body: body.replace("100", "999") };
    const outcome = classifyResponse(tampered, "http://app", Date.now(), [KEY]);
    expect(outcome).toMatchObject({ type: "error", retriable: true, error: { name: "SignatureError" } });
    const streamed = {
      status: 201,
      headers: {},
      body: `  ${JSON.stringify({ status: 206, headers: { "X-Inngest-Signature": signBody(KEY, body) }, body: body.replace("100", "999") })}`,
    };
    expect(classifyResponse(streamed, "http://app", Date.now(), [KEY])).toMatchObject({ type: "error", error: { name: "SignatureError" } });
    // Unsigned answers (an SDK in dev mode) are taken as they are.
    expect(classifyResponse({ status: 206, headers: {}, body }, "http://app", Date.now(), [KEY]).type).toBe("ops");
  });
});
