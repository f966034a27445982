export * from "./auth";
export * from "./squads";
export * from "./tasks";
export * from "./usage";
export * from "./integrations";
export * from "./security";
