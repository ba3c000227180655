// @ts-check
// #/licences: every licence, filterable by customer and by course, with the seat and end-date warnings.
import { listCourses, listCustomers } from './client.js';
import { h } from './dom.js';
import { licencesSection } from './licences.js';
import { errorBox, loading, page } from './ui.js';

export async function licencesPage() {
  loading();
  let customers;
  let courses;
  try {
    [customers, courses] = await Promise.all([listCustomers(), listCourses()]);
  } catch (err) {
    page('Licences', errorBox(err));
    return;
  }
  page(
    'Licences',
    h(
      'p',
      {},
      'A licence lets one customer’s learners open one course, or every course, with an optional seat limit and dates. Licences at 80 % of their seats or more, at their limit, or ending within 30 days are highlighted.',
    ),
    customers.length
      ? licencesSection({ customer: null, customers, courses }).section
      : h('p', { class: 'empty' }, 'No customer yet: add one on the Customers page, then license courses to it here or on its page.'),
  );
}
