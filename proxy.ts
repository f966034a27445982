import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";

/**
 * Redirects only, and only on the presence of a better-auth session cookie (no database call here):
 * `/` goes to `/tasks` or `/sign-in`, and `/tasks…` or `/settings…` without a cookie goes to `/sign-in?next=…`.
 * Whether the session is valid is checked by each page, action and route handler; `/api/*` is never
 * matched, so API clients always get JSON errors rather than redirects.
 */
export function proxy(request: NextRequest) {
  const signedIn = getSessionCookie(request) !== null;
  const { pathname, search } = request.nextUrl;

  if (pathname === "/") {
    return NextResponse.redirect(new URL(signedIn ? "/tasks" : "/sign-in", request.url));
  }
  if (!signedIn) {
    const target = new URL("/sign-in", request.url);
    target.searchParams.set("next", `${pathname}${search}`);
    return NextResponse.redirect(target);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/", "/tasks", "/tasks/:path*", "/settings", "/settings/:path*"],
};
