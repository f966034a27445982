import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { TaskDescription } from "../../components/tasks/task-description";

const render = (source: string) => renderToStaticMarkup(createElement(TaskDescription, { source }));

describe("TaskDescription", () => {
  it("renders GitHub-flavoured Markdown", () => {
    const html = render("# Goal\n\n- [x] tests\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n**bold** and `code`");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<table");
    expect(html).toContain('type="checkbox"');
  });

  it("shows raw HTML as literal text, never as markup", () => {
    const html = render(`<iframe id="pwned-frame" src="javascript:alert('frame')"></iframe>\n\ninline <img src=x onerror="alert(1)"> here`);
    expect(html).not.toMatch(/<iframe|<img/);
    expect(html).toContain("&lt;iframe id=&quot;pwned-frame&quot;");
    expect(html).toContain("inline &lt;img src=x onerror=&quot;alert(1)&quot;&gt; here");
  });

  it("drops javascript: links", () => {
    const html = render("[click](javascript:alert(1))");
    expect(html).not.toContain("javascript:");
    expect(html).toContain("click");
  });
});
