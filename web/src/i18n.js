// Every UI string, in English and Japanese. `t(key, params)` looks a string up
// in the current language (falling back to English) and fills {name}
// placeholders. The module has no side effects at load time, so the browser
// test can import the dictionaries too.

export const messages = {
  en: {
    'app.title': 'leadscore',
    'app.skip': 'Skip to content',
    'app.loading': 'Loading…',
    'app.notFound': 'No such page.',
    'app.backToLeads': 'Back to leads',
    'app.openApi': 'The API is open on this machine (the store has no API key).',
    'nav.label': 'Main',
    'nav.leads': 'Leads',
    'nav.tasks': 'Tasks',
    'lang.label': 'Language',
    'signout': 'Sign out',

    'signin.title': 'Sign in',
    'signin.intro': 'Enter an API key with the read scope (the sales scope too, to complete tasks and record the checklist). Keys are made with `leadscore keys create`. The key stays in this browser tab only.',
    'signin.key': 'API key',
    'signin.submit': 'Sign in',
    'signin.expired': 'The key was refused: sign in again.',
    'signin.noRead': 'This key cannot read leads (it lacks the read scope).',

    'error.http': 'HTTP {status}: {message}',
    'error.network': 'The server could not be reached: {message}',

    'leads.title': 'Leads',
    'leads.filters': 'Filters',
    'leads.stage': 'Stage',
    'leads.anyStage': 'Any stage',
    'leads.minScore': 'Score from',
    'leads.maxScore': 'to',
    'leads.grade': 'Grade',
    'leads.owner': 'Owner',
    'leads.apply': 'Apply',
    'leads.reset': 'Reset',
    'leads.search': 'Find a person',
    'leads.searchHint': 'Lead id, e-mail or anonymous id',
    'leads.open': 'Open',
    'leads.download': 'Download CSV',
    'leads.downloading': 'Preparing the CSV…',
    'leads.downloaded': 'Downloaded {name}.',
    'leads.none': 'No leads match these filters.',
    'leads.pages': 'Pages',
    'leads.page': 'Page {n}',
    'leads.pageCount': '{count} leads on this page',
    'leads.prev': 'Previous page',
    'leads.next': 'Next page',
    'leads.sortNote': 'The API lists leads in lead id order; sorting a column sorts this page only.',
    'leads.sortBy': 'Sort by {column}',
    'col.lead': 'Lead',
    'col.score': 'Score',
    'col.stage': 'Stage',
    'col.grade': 'Grade',
    'col.owner': 'Owner',
    'col.lastMql': 'Last MQL',

    'lead.title': 'Lead {id}',
    'lead.summary': 'Summary',
    'lead.score': 'Score',
    'lead.stage': 'Stage',
    'lead.since': 'Since',
    'lead.mqls': 'MQLs',
    'lead.lastMql': 'Last MQL',
    'lead.updated': 'Latest event',
    'lead.grades': 'Grades',
    'lead.cell': 'Cell',
    'lead.pendingDecay': 'The ledger ends at {after}; decay since its last row ({diff}) is applied when the score is read and written to the ledger by the next `leadscore advance`.',
    'lead.whyHot': 'Why hot',
    'lead.whyHotNone': 'Nothing counts yet.',
    'lead.identities': 'Identities',
    'lead.attributes': 'Attributes',
    'lead.noAttributes': 'No attributes.',
    'lead.chart': 'Score over time',
    'lead.chartDesc': 'Score from {first} to {last} over {rows} ledger rows, {decays} of them decay steps.',
    'lead.chartMulti': 'The model has several scores and the ledger rows do not say which score they change, so no chart is drawn.',
    'lead.chartEmpty': 'No ledger rows yet.',
    'lead.legendScore': 'Score',
    'lead.legendDecay': 'Decay step',
    'lead.legendStage': 'Stage change',
    'lead.ledger': 'Ledger',
    'lead.ledgerCount': '{count} rows; their points add up to {sum}.',
    'lead.checklist': 'Hand-off checklist',
    'lead.checklistNone': 'The model has no hand-off checklist.',
    'lead.required': 'required',
    'lead.noteFor': 'Note for “{label}”',
    'lead.recordedBy': 'recorded by {by}, {at}',
    'lead.gateOpen': 'The gate to {stage} is open ({min} needed).',
    'lead.gateClosed': 'The gate to {stage} is closed ({min} needed); missing: {missing}.',
    'lead.checklistNoUndo': 'A recorded criterion cannot be removed over the API.',
    'lead.tasks': 'Tasks',
    'lead.tasksNone': 'No tasks.',
    'ledger.time': 'Time',
    'ledger.rule': 'Rule',
    'ledger.points': 'Points',
    'ledger.after': 'Score after',
    'ledger.event': 'Event',
    'kind.points': 'points',
    'kind.capped': 'capped',
    'kind.bounded': 'bounded',
    'kind.fit': 'fit',
    'kind.decay': 'Decay',
    'kind.window': 'left the window',
    'kind.evicted': 'evicted',

    'list.sep': ', ',

    'tasks.title': 'Tasks',
    'tasks.owner': 'Owner',
    'tasks.apply': 'Show',
    'tasks.today': 'Due today',
    'tasks.overdue': 'Overdue',
    'tasks.none': 'None.',
    'tasks.count': '{count} tasks',
    'tasks.due': 'Due',
    'tasks.task': 'Task',
    'tasks.channel': 'Channel',
    'tasks.status': 'Status',
    'tasks.outcome': 'Outcome',
    'tasks.whyHot': 'Why hot',
    'tasks.action': 'Action',
    'tasks.complete': 'Complete',
    'tasks.completeTitle': 'Complete the task',
    'tasks.completeOf': '{task} for {lead}, due {due}',
    'tasks.note': 'Note (optional)',
    'tasks.cancel': 'Cancel',
    'tasks.completed': 'Task {id} completed: {outcome}.',
    'tasks.day': 'day {n}',

    'status.open': 'open',
    'status.overdue': 'overdue',
    'status.done': 'done',
    'status.cancelled': 'cancelled',
    'channel.call': 'call',
    'channel.email': 'e-mail',
    'channel.task': 'task',
    'outcome.reached': 'Reached',
    'outcome.no_answer': 'No answer',
    'outcome.left_message': 'Left a message',
    'outcome.sent': 'Sent',
    'outcome.meeting_set': 'Meeting set',
    'outcome.not_interested': 'Not interested',
    'outcome.wrong_contact': 'Wrong contact',
    'outcome.skipped': 'Skipped',
  },

  ja: {
    'app.title': 'leadscore',
    'app.skip': '本文へスキップ',
    'app.loading': '読み込み中…',
    'app.notFound': 'このページはありません。',
    'app.backToLeads': 'リード一覧へ戻る',
    'app.openApi': 'API はこのマシンに開放されています（ストアに API キーがありません）。',
    'nav.label': 'メイン',
    'nav.leads': 'リード',
    'nav.tasks': 'タスク',
    'lang.label': '言語',
    'signout': 'サインアウト',

    'signin.title': 'サインイン',
    'signin.intro': 'read スコープの API キーを入力してください（タスクの完了とチェックリストの記録には sales スコープも必要です）。キーは `leadscore keys create` で作成します。キーはこのタブの中だけに保存されます。',
    'signin.key': 'API キー',
    'signin.submit': 'サインイン',
    'signin.expired': 'キーが拒否されました。もう一度サインインしてください。',
    'signin.noRead': 'このキーではリードを読めません（read スコープがありません）。',

    'error.http': 'HTTP {status}: {message}',
    'error.network': 'サーバーに接続できません: {message}',

    'leads.title': 'リード一覧',
    'leads.filters': '絞り込み',
    'leads.stage': 'ステージ',
    'leads.anyStage': 'すべてのステージ',
    'leads.minScore': 'スコア（下限）',
    'leads.maxScore': '上限',
    'leads.grade': 'グレード',
    'leads.owner': '担当者',
    'leads.apply': '適用',
    'leads.reset': 'リセット',
    'leads.search': '人を探す',
    'leads.searchHint': 'リード ID、メールアドレス、匿名 ID',
    'leads.open': '開く',
    'leads.download': 'CSV をダウンロード',
    'leads.downloading': 'CSV を準備中…',
    'leads.downloaded': '{name} をダウンロードしました。',
    'leads.none': '条件に合うリードはありません。',
    'leads.pages': 'ページ',
    'leads.page': '{n} ページ目',
    'leads.pageCount': 'このページのリード: {count} 件',
    'leads.prev': '前のページ',
    'leads.next': '次のページ',
    'leads.sortNote': 'API はリード ID 順に返します。列の並べ替えはこのページ内だけです。',
    'leads.sortBy': '{column}で並べ替え',
    'col.lead': 'リード',
    'col.score': 'スコア',
    'col.stage': 'ステージ',
    'col.grade': 'グレード',
    'col.owner': '担当者',
    'col.lastMql': '最終 MQL',

    'lead.title': 'リード {id}',
    'lead.summary': '概要',
    'lead.score': 'スコア',
    'lead.stage': 'ステージ',
    'lead.since': '開始',
    'lead.mqls': 'MQL 回数',
    'lead.lastMql': '最終 MQL',
    'lead.updated': '最新イベント',
    'lead.grades': 'グレード',
    'lead.cell': 'セル',
    'lead.pendingDecay': '台帳は {after} で終わっています。最終行以降の減衰（{diff}）はスコアの読み出し時に適用され、次の `leadscore advance` で台帳に書き込まれます。',
    'lead.whyHot': 'ホットな理由',
    'lead.whyHotNone': 'まだ該当する行動はありません。',
    'lead.identities': 'ID',
    'lead.attributes': '属性',
    'lead.noAttributes': '属性はありません。',
    'lead.chart': 'スコアの推移',
    'lead.chartDesc': '{rows} 行の台帳でスコアは {first} から {last} へ（うち減衰 {decays} 回）。',
    'lead.chartMulti': 'このモデルには複数のスコアがあり、台帳の行がどのスコアのものか分からないため、グラフは表示しません。',
    'lead.chartEmpty': '台帳にまだ行がありません。',
    'lead.legendScore': 'スコア',
    'lead.legendDecay': '減衰',
    'lead.legendStage': 'ステージ変更',
    'lead.ledger': 'スコア台帳',
    'lead.ledgerCount': '{count} 行、ポイントの合計は {sum}。',
    'lead.checklist': '引き渡しチェックリスト',
    'lead.checklistNone': 'このモデルには引き渡しチェックリストがありません。',
    'lead.required': '必須',
    'lead.noteFor': '「{label}」のメモ',
    'lead.recordedBy': '{by} が記録（{at}）',
    'lead.gateOpen': '{stage} へのゲートは開いています（必要数 {min}）。',
    'lead.gateClosed': '{stage} へのゲートは閉じています（必要数 {min}）。未記録: {missing}',
    'lead.checklistNoUndo': '記録した項目は API では取り消せません。',
    'lead.tasks': 'タスク',
    'lead.tasksNone': 'タスクはありません。',
    'ledger.time': '日時',
    'ledger.rule': 'ルール',
    'ledger.points': 'ポイント',
    'ledger.after': '変更後のスコア',
    'ledger.event': 'イベント',
    'kind.points': 'ポイント',
    'kind.capped': '上限により加算なし',
    'kind.bounded': 'スコア上限・下限で調整',
    'kind.fit': '属性',
    'kind.decay': '減衰',
    'kind.window': '期間外',
    'kind.evicted': '除外',

    'list.sep': '、',

    'tasks.title': 'タスク',
    'tasks.owner': '担当者',
    'tasks.apply': '表示',
    'tasks.today': '今日が期限',
    'tasks.overdue': '期限切れ',
    'tasks.none': 'ありません。',
    'tasks.count': '{count} 件',
    'tasks.due': '期限',
    'tasks.task': 'タスク',
    'tasks.channel': 'チャネル',
    'tasks.status': '状態',
    'tasks.outcome': '結果',
    'tasks.whyHot': 'ホットな理由',
    'tasks.action': '操作',
    'tasks.complete': '完了',
    'tasks.completeTitle': 'タスクを完了する',
    'tasks.completeOf': '{lead} の {task}（期限 {due}）',
    'tasks.note': 'メモ（任意）',
    'tasks.cancel': 'キャンセル',
    'tasks.completed': 'タスク {id} を完了しました: {outcome}',
    'tasks.day': '{n} 日目',

    'status.open': '未完了',
    'status.overdue': '期限切れ',
    'status.done': '完了',
    'status.cancelled': '取り消し',
    'channel.call': '電話',
    'channel.email': 'メール',
    'channel.task': 'タスク',
    'outcome.reached': '話せた',
    'outcome.no_answer': '応答なし',
    'outcome.left_message': '伝言を残した',
    'outcome.sent': '送信済み',
    'outcome.meeting_set': '商談を設定',
    'outcome.not_interested': '関心なし',
    'outcome.wrong_contact': '連絡先の誤り',
    'outcome.skipped': 'スキップ',
  },
};

export const languages = ['en', 'ja'];
export const languageNames = { en: 'English', ja: '日本語' };

const STORAGE_KEY = 'leadscore.lang';
let current = 'en';
const listeners = new Set();

/** The language from localStorage, else navigator.language (ja* → ja). */
export function initialLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (languages.includes(saved)) return saved;
  } catch { /* storage may be unavailable */ }
  const nav = (globalThis.navigator?.language || 'en').toLowerCase();
  return nav.startsWith('ja') ? 'ja' : 'en';
}

export function lang() {
  return current;
}

export function setLanguage(code, { persist = true } = {}) {
  current = languages.includes(code) ? code : 'en';
  document.documentElement.lang = current;
  if (persist) {
    try { localStorage.setItem(STORAGE_KEY, current); } catch { /* ignore */ }
  }
  for (const fn of listeners) fn(current);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
}

export function t(key, params = {}) {
  const s = messages[current][key] ?? messages.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** The model's label for the current language, else the English one, else the id. */
export function pick(en, ja, fallback) {
  if (current === 'ja' && ja) return ja;
  return en || fallback || '';
}

export function formatNumber(n) {
  return new Intl.NumberFormat(current).format(n);
}

/** Points with a sign: +5, −15 (a real minus sign). */
export function formatPoints(n) {
  if (n > 0) return `+${formatNumber(n)}`;
  if (n < 0) return `−${formatNumber(-n)}`;
  return '0';
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatDate(iso) {
  const d = iso instanceof Date ? iso : new Date(iso);
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium' }).format(d);
}
