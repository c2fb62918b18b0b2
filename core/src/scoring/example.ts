import { ScorecardDefinition } from '@duet/protocol';

/**
 * The built-in example scorecard: the field literature's "BE SURE" keys (PRACTICES.md), one
 * section per key, with the weights a contact center would start from. Two critical questions
 * cover what no friendliness makes up for: wrong information and disrespect; identity
 * verification is critical too but N/A when the call touched no account.
 */
export const BE_SURE_KEY = 'be-sure';

export const BE_SURE_SCORECARD: ScorecardDefinition = ScorecardDefinition.parse({
  name: 'BE SURE (example)',
  description:
    'The six keys to loyalty-building service: Broad product knowledge, Extreme desire to help, Sincere interest, Understanding of expectations, Respect, Empowered to resolve. Copy and adapt it.',
  sections: [
    {
      id: 'broad-knowledge',
      title: 'B: Broad product knowledge',
      questions: [
        {
          id: 'accurate-information',
          text: 'Gave accurate, complete information',
          guidance: 'Check the CRM screens against what was said. Wrong information fails the evaluation: the customer will call back or leave.',
          type: 'yes_no',
          weight: 10,
          critical: true,
        },
        {
          id: 'relevant-options',
          text: 'Explained the options that fit this customer',
          guidance: '1 = none or wrong ones, 3 = the standard option only, 5 = tailored options with their trade-offs.',
          type: 'scale',
          scale: { min: 1, max: 5 },
          weight: 5,
          allowNa: true,
        },
      ],
    },
    {
      id: 'extreme-desire',
      title: 'E: Extreme desire to help',
      questions: [
        {
          id: 'ownership',
          text: 'Took ownership of the request',
          guidance: '1 = deflected ("that is not my department"), 5 = owned it to the end, including follow-up.',
          type: 'scale',
          scale: { min: 1, max: 5 },
          weight: 10,
        },
        {
          id: 'extra-step',
          text: 'Went one step further than asked',
          guidance: 'Anticipated the next question or problem. N/A when the request left no room for it.',
          type: 'yes_no',
          weight: 5,
          allowNa: true,
        },
      ],
    },
    {
      id: 'sincere-interest',
      title: "S: Sincere interest in the customer's situation",
      questions: [
        {
          id: 'active-listening',
          text: 'Listened actively: no interrupting, details reflected back',
          guidance: 'Use the overtalk and monologue markers on the timeline; listen to the first two minutes closely.',
          type: 'scale',
          scale: { min: 1, max: 5 },
          weight: 10,
        },
        { id: 'acknowledged-feelings', text: "Acknowledged the customer's feelings", type: 'yes_no', weight: 5 },
      ],
    },
    {
      id: 'understanding-expectations',
      title: 'U: Understanding of expectations',
      questions: [
        { id: 'confirmed-need', text: 'Confirmed the need before acting', type: 'yes_no', weight: 10 },
        {
          id: 'set-expectations',
          text: 'Said what happens next and when',
          type: 'choice',
          weight: 5,
          choices: [
            { id: 'clear', label: 'Clearly, with a time', points: 2 },
            { id: 'partial', label: 'Partly', points: 1 },
            { id: 'none', label: 'Not at all', points: 0 },
          ],
        },
      ],
    },
    {
      id: 'respect',
      title: "R: Respect for the customer's point of view",
      questions: [
        {
          id: 'courteous',
          text: 'Courteous and respectful throughout',
          guidance: 'Sarcasm, blame or a raised voice fails the evaluation.',
          type: 'yes_no',
          weight: 10,
          critical: true,
        },
        { id: 'no-blame', text: 'Did not blame the customer, colleagues or the company', type: 'yes_no', weight: 5 },
      ],
    },
    {
      id: 'empowered',
      title: 'E: Empowered to resolve',
      questions: [
        {
          id: 'resolution',
          text: 'Resolved the request',
          type: 'choice',
          weight: 10,
          choices: [
            { id: 'first-contact', label: 'Resolved on this call', points: 3 },
            { id: 'follow-up', label: 'Resolved with an owned follow-up', points: 2 },
            { id: 'escalated', label: 'Escalated correctly', points: 2 },
            { id: 'unresolved', label: 'Not resolved', points: 0 },
          ],
        },
        {
          id: 'verified-identity',
          text: "Verified the customer's identity before any account change",
          guidance: 'Watch the screen: the verification step must come before the account screens. N/A when no account was touched.',
          type: 'yes_no',
          weight: 5,
          critical: true,
          allowNa: true,
        },
      ],
    },
  ],
});
