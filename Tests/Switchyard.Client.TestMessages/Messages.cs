namespace Switchyard.Client.TestMessages;

/// <summary>A line the echo consumer answers with <see cref="Echoed"/>.</summary>
[Message("test.line")]
public sealed partial record Line(string Text);

/// <summary>The echo of a <see cref="Line"/>.</summary>
[Message("test.echoed")]
public sealed partial record Echoed(string Text, int Length);

/// <summary>A request: add two numbers.</summary>
[Message("test.add")]
public sealed partial record Add(int A, int B);

/// <summary>The reply to <see cref="Add"/>.</summary>
[Message("test.sum")]
public sealed partial record Sum(int Value);

/// <summary>A message of a group.</summary>
[Message("test.note")]
public sealed partial record Note(string Text);

/// <summary>Asks the server to send a note to the client's group.</summary>
[Message("test.publish")]
public sealed partial record Publish(string Text);

/// <summary>A resuming consumer's notice after it joined: how many messages it replayed and what was lost.</summary>
[Message("test.joined")]
public sealed partial record Joined(int Replayed, string Loss);

/// <summary>Asks the server to close the connection with a code.</summary>
[Message("test.close_me")]
public sealed partial record CloseMe(int Code, string Reason);

/// <summary>Asks the server to send <c>Count</c> notes in one frame separated by <c>\n</c> (with empty parts).</summary>
[Message("test.batch_me")]
public sealed partial record BatchMe(int Count);

/// <summary>Asks the server to send raw frames that carry positions, some of them duplicates.</summary>
[Message("test.positions")]
public sealed partial record SendPositions(string Epoch);

/// <summary>A message only the server's strict handler takes; its <c>Text</c> is required.</summary>
[Message("test.strict")]
public sealed partial record Strict(string Text);

/// <summary>A type no server handler takes: the server closes with 1003.</summary>
[Message("test.nobody")]
public sealed partial record Nobody(string Text);

/// <summary>A request the server refuses (<c>RequestFailedException</c>).</summary>
[Message("test.refuse")]
public sealed partial record Refuse(string Why);

/// <summary>A request whose handler waits until the test signals it.</summary>
[Message("test.hold")]
public sealed partial record Hold(string Key);

/// <summary>A server call's question.</summary>
[Message("test.confirm_ask")]
public sealed partial record ConfirmAsk(string Question);

/// <summary>A server call's answer.</summary>
[Message("test.confirm_answer")]
public sealed partial record ConfirmAnswer(bool Yes, string By);

/// <summary>A server call answered with <c>switchyard.ack</c>.</summary>
[Message("test.ping")]
public sealed partial record Ping(int N);

/// <summary>Asks the server to call its client with <c>Kind</c> and send back what happened as a <see cref="CallResult"/>.</summary>
[Message("test.call_me")]
public sealed partial record CallMe(string Kind);

/// <summary>What a server call of <see cref="CallMe"/> got: the answer, or the error.</summary>
[Message("test.call_result")]
public sealed partial record CallResult(string Kind, string Outcome);
