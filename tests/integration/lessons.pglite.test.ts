import { defineLessonsSuite } from "./lessons.suite";

defineLessonsSuite("pglite");
