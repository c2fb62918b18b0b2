/**
 * The score arithmetic lives in protocol (browser-safe, no I/O) so the review UI's live score
 * and the server's stored score are the same function; core re-exports it for its callers.
 */
export { fractionOf, mergeAnswers, round, scoreAnswers, validateAnswers, type AnswerIssue } from '@duet/protocol';
