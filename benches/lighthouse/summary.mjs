// Prints one Lighthouse report's category scores and the weighted audits that fell short;
// exits 1 when SEO, accessibility or best practices are under 100.
import { readFileSync } from 'node:fs';

const [page, file] = process.argv.slice(2);
const report = JSON.parse(readFileSync(file, 'utf8'));
const score = (id) => Math.round(report.categories[id].score * 100);
const ids = ['performance', 'accessibility', 'best-practices', 'seo'];
console.log(`${page}: ${ids.map((id) => `${id} ${score(id)}`).join(', ')}`);
for (const id of ids) {
  for (const ref of report.categories[id].auditRefs) {
    const audit = report.audits[ref.id];
    if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
      console.log(`  ${id}: ${ref.id} (${audit.score})${audit.displayValue ? ` ${audit.displayValue}` : ''}`);
    }
  }
}
process.exit(ids.slice(1).every((id) => score(id) === 100) ? 0 : 1);
