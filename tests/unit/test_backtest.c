/* Tests for the backtest's pure parts (src/eval/backtest.c): outcome
 * classification, the earliest outcome per person, weeks, and the ROC AUC
 * with ties, each worked by hand. The whole command is tests/backtest.sh. */
#include <math.h>
#include <stdlib.h>

#include "leadscore/backtest.h"
#include "ls_test.h"

static ls_slice S(const char *s) { return (ls_slice){s, strlen(s)}; }
static ls_time T(int64_t sec) { return (ls_time){sec, 0}; }

static void test_classify(void) {
  CHECK_INT(ls_bt_classify(S("sales_disposition"), S("opportunity")), LS_BT_OPPORTUNITY);
  CHECK_INT(ls_bt_classify(S("sales_disposition"), S("nurture")), LS_BT_NURTURE);
  CHECK_INT(ls_bt_classify(S("sales_disposition"), S("disqualified")), LS_BT_DISQUALIFIED);
  CHECK_INT(ls_bt_classify(S("opportunity_closed"), S("won")), LS_BT_WON);
  CHECK_INT(ls_bt_classify(S("opportunity_closed"), S("lost")), LS_BT_LOST);
  CHECK_INT(ls_bt_classify(S("opportunity_closed"), S("opportunity")), 0);
  CHECK_INT(ls_bt_classify(S("sales_disposition"), S("")), 0);
  CHECK_INT(ls_bt_classify(S("page_view"), S("won")), 0);
}

static void test_person(void) {
  ls_bt_person p = {0};
  ls_bt_person_add(&p, LS_BT_NURTURE, T(50)); /* not an outcome that counts */
  CHECK(!p.opp && !p.won);
  ls_bt_person_add(&p, LS_BT_OPPORTUNITY, T(300));
  ls_bt_person_add(&p, LS_BT_LOST, T(200)); /* a closed deal was an opportunity: earlier */
  CHECK(p.opp && p.opp_at.sec == 200 && !p.won);
  ls_bt_person_add(&p, LS_BT_WON, T(900));
  ls_bt_person_add(&p, LS_BT_WON, T(700)); /* files need not be in time order */
  CHECK(p.won && p.won_at.sec == 700 && p.opp_at.sec == 200);
}

static void test_weeks(void) {
  CHECK_INT(ls_bt_weeks(T(0), T(7 * 86400)), 1);
  CHECK_INT(ls_bt_weeks(T(0), T(7 * 86400 + 1)), 2);
  CHECK_INT(ls_bt_weeks(T(0), T(56 * 86400)), 8);
  CHECK_INT(ls_bt_weeks(T(10), T(10)), 1); /* never 0: rates per week divide by it */
}

static void test_auc(void) {
  uint32_t tmp[16];
  /* positives at 2 and 3, negatives at 1 and 2: pairs (2,1) 1, (2,2) ½,
   * (3,1) 1, (3,2) 1 → 3.5 / 4 */
  int64_t s1[4] = {1, 2, 2, 3};
  uint8_t l1[4] = {0, 1, 0, 1};
  CHECK(fabs(ls_bt_auc(s1, l1, 4, tmp) - 0.875) < 1e-12);
  /* a perfect ranking, a reversed one, all tied */
  int64_t s2[4] = {4, 3, 2, 1};
  uint8_t l2[4] = {1, 1, 0, 0}, l3[4] = {0, 0, 1, 1};
  CHECK(fabs(ls_bt_auc(s2, l2, 4, tmp) - 1.0) < 1e-12);
  CHECK(fabs(ls_bt_auc(s2, l3, 4, tmp) - 0.0) < 1e-12);
  int64_t s4[4] = {5, 5, 5, 5};
  CHECK(fabs(ls_bt_auc(s4, l2, 4, tmp) - 0.5) < 1e-12);
  /* one class only: undefined */
  uint8_t none[4] = {0, 0, 0, 0};
  CHECK(isnan(ls_bt_auc(s2, none, 4, tmp)));
  CHECK(isnan(ls_bt_auc(s2, l2, 0, tmp)));
}

int main(void) {
  test_classify();
  test_person();
  test_weeks();
  test_auc();
  return ls_test_done();
}
