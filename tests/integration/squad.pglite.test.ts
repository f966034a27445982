import { defineSquadSuite } from "./squad.suite";

defineSquadSuite("pglite");
