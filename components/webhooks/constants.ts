// Plain values shared by the server page and the client components (a "use client" module's
// exports are references, not values, when a server component imports them).

/** How many delivery attempts the log shows per endpoint (newest first); the API gives up to 500. */
export const DELIVERY_LOG_LIMIT = 25;
