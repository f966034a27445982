import { headers } from "next/headers";
import { cache } from "react";
import { getRequestContext, type RequestContext } from "@/lib/auth/session";

/**
 * The signed-in caller of the current page request, or null. Memoised per request with React
 * `cache`, so a layout and its page (which render concurrently) resolve the session once.
 */
export const getPageContext = cache(async (): Promise<RequestContext | null> => getRequestContext(await headers()));
