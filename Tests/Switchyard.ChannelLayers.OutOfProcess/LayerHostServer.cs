using System.Collections.Concurrent;
using Switchyard.ChannelLayers.OutOfProcess.Internal;
using Switchyard.ChannelLayers.Specification;

namespace Switchyard.ChannelLayers.OutOfProcess;

/// <summary>
/// The layer host's side of the protocol: creates one layer of the kind named on the command line when the parent asks,
/// with a manual clock that follows the parent's, and serves the parent's calls on it over standard input and output
/// until the input ends. <see cref="OutOfProcessChannelLayer"/> is the parent's side.
/// </summary>
/// <remarks>
/// <para>Calls are started one after another, in arrival order, on one dispatcher thread (each runs on from its first
/// await concurrently with the others): a forwarder attach, a detach, a clock move and a cancel take effect exactly
/// between the calls the parent made before and after them.</para>
/// <para>Exit codes: 0 when the input ended at a frame boundary (the parent closed the layer, or a pooled host was
/// never used); 1 on a protocol error or a failure of the host itself; 2 for a bad command line. Diagnostics go to
/// standard error, which the parent quotes when the host dies.</para>
/// </remarks>
public static class LayerHostServer
{
    /// <summary>Runs the host: parses <paramref name="args"/> (<c>{kind} {arguments...}</c>) and serves until the input ends.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="kinds">The kinds this host can serve.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, IReadOnlyList<LayerKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(kinds);
        var kind = args.Length > 0 ? kinds.FirstOrDefault(k => k.Name == args[0]) : null;
        if (kind is null || args.Length - 1 != kind.Arguments.Count)
        {
            Console.Error.WriteLine("usage: Switchyard.ChannelLayers.LayerHost <kind> <arguments>, where <kind> <arguments> is one of:");
            foreach (var known in kinds)
            {
                Console.Error.WriteLine($"  {known.Name} {string.Join(' ', known.Arguments.Select(a => $"<{a}>"))}");
            }

            Console.Error.WriteLine($"The command line was: {string.Join(' ', args.Select(a => a.Length > 0 && a.All(c => c > ' ') ? a : $"'{a}'"))}");
            return 2;
        }

        // Standard output carries the protocol; anything a library prints goes to standard error instead.
        var output = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);

        // Forwarded offers block pool threads on round trips to the parent; keep enough threads for them.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), io);

        var session = new Session(kind, args[1..]);
        return session.Run(Console.OpenStandardInput(), output);
    }

    private sealed class Session(LayerKind kind, IReadOnlyList<string> arguments) : IFrameHandler
    {
        private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

        private readonly BlockingCollection<Action> _dispatch = new(new ConcurrentQueue<Action>());
        private readonly ConcurrentDictionary<long, CancellationTokenSource> _inFlight = new();
        private readonly Dictionary<long, IDisposable> _attachments = [];
        private readonly TestMeterFactory _meters = new();
        private readonly CancellationTokenSource _stopping = new();
        private FrameConnection _connection = null!;
        private ManualTimeProvider? _clock;
        private ChannelLayer? _layer;
        private MetricRelay? _metrics;
        private Exception? _inputError;
        private int _calls;
        private bool _draining;
        private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private string Who => $"layer host {Environment.ProcessId} ({kind.Name})";

        public int Run(Stream input, Stream output)
        {
            _connection = new FrameConnection(input, output, this, "parent");
            _connection.Start("layer host");

            // The dispatcher: this thread, until the input ends.
            foreach (var action in _dispatch.GetConsumingEnumerable())
            {
                action();
            }

            var exitCode = _inputError is null ? 0 : 1;
            try
            {
                Shutdown();
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine($"{Who}: shutting down failed: {ex}");
                exitCode = 1;
            }

            return exitCode;
        }

        public void OnCall(FrameReader call) => _dispatch.Add(() => Start(call));

        public void OnCancel(long id) => _dispatch.Add(() =>
        {
            if (_inFlight.TryGetValue(id, out var cancel))
            {
                try
                {
                    cancel.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The call finished meanwhile.
                }
            }
        });

        public void OnPost(FrameReader post) => _dispatch.Add(() =>
        {
            switch (post.Operation)
            {
                case Operation.Time:
                    FollowClock(post.ReadInt64());
                    break;
                case Operation.Detach:
                    if (_attachments.Remove(post.ReadInt64(), out var attachment))
                    {
                        attachment.Dispose();
                    }

                    break;
                default:
                    throw new InvalidDataException($"The parent posted {post.Operation}, which a layer host does not take.");
            }
        });

        public void OnInputEnded(Exception? error)
        {
            if (error is not null)
            {
                _inputError = error;
                Console.Error.WriteLine($"{Who}: reading from the parent failed: {error}");
            }

            _dispatch.CompleteAdding();
        }

        private void Shutdown()
        {
            // The parent has gone or closed its end: close the layer if it did not. Calls still running end with the
            // layer's own answer (a receive that raced with the close fails as closed); only calls that outlast a grace
            // period are cancelled. Then the writer drains.
            if (_layer is { IsClosed: false } layer)
            {
                layer.CloseAsync().AsTask().Wait(ShutdownGrace);
            }

            Volatile.Write(ref _draining, true);
            if (Volatile.Read(ref _calls) > 0 && !_idle.Task.Wait(ShutdownGrace))
            {
                Console.Error.WriteLine($"{Who}: {Volatile.Read(ref _calls)} call(s) still running {ShutdownGrace.TotalSeconds} s after the layer closed; cancelling them.");
                _stopping.Cancel();
                _idle.Task.Wait(ShutdownGrace);
            }

            _metrics?.Dispose();
            _connection.CompleteOutput();
            _connection.WriterDone.Wait(ShutdownGrace);
            _meters.Dispose();
        }

        private void Start(FrameReader call)
        {
            try
            {
                FollowClock(call.ReadInt64());
                switch (call.Operation)
                {
                    case Operation.Create:
                        Serve(call, async cancellationToken => await CreateAsync(call.ReadOptions(), cancellationToken));
                        break;
                    case Operation.Send:
                        {
                            var layer = Layer();
                            var channel = call.ReadString();
                            var message = call.ReadMessage();
                            Serve(call, async cancellationToken =>
                            {
                                await layer.SendAsync(channel, message, cancellationToken);
                                return null;
                            });
                            break;
                        }

                    case Operation.Receive:
                        {
                            var layer = Layer();
                            var channel = call.ReadString();
                            Serve(call, async cancellationToken =>
                            {
                                var message = await layer.ReceiveAsync(channel, cancellationToken);
                                return frame => frame.WriteMessage(message);
                            });
                            break;
                        }

                    case Operation.NewChannel:
                        {
                            var layer = Layer();
                            var prefix = call.ReadString();
                            Serve(call, async cancellationToken =>
                            {
                                var name = await layer.NewChannelAsync(prefix, cancellationToken);
                                return frame => frame.WriteString(name);
                            });
                            break;
                        }

                    case Operation.GroupAdd:
                        {
                            var layer = Layer();
                            var (group, channel) = (call.ReadString(), call.ReadString());
                            Serve(call, async cancellationToken =>
                            {
                                await layer.GroupAddAsync(group, channel, cancellationToken);
                                return null;
                            });
                            break;
                        }

                    case Operation.GroupDiscard:
                        {
                            var layer = Layer();
                            var (group, channel) = (call.ReadString(), call.ReadString());
                            Serve(call, async cancellationToken =>
                            {
                                await layer.GroupDiscardAsync(group, channel, cancellationToken);
                                return null;
                            });
                            break;
                        }

                    case Operation.GroupSend:
                        {
                            var layer = Layer();
                            var group = call.ReadString();
                            var message = call.ReadMessage();
                            Serve(call, async cancellationToken =>
                            {
                                var result = await layer.GroupSendAsync(group, message, cancellationToken);
                                return frame =>
                                {
                                    frame.WriteInt32(result.Delivered);
                                    frame.WriteInt32(result.SkippedFull);
                                };
                            });
                            break;
                        }

                    case Operation.GroupMemberCount:
                        {
                            var layer = Layer();
                            var group = call.ReadString();
                            Serve(call, async cancellationToken =>
                            {
                                var count = await layer.GroupMemberCountAsync(group, cancellationToken);
                                return frame => frame.WriteInt64(count);
                            });
                            break;
                        }

                    case Operation.GroupMembers:
                        {
                            var layer = Layer();
                            var (group, cursor, pageSize) = (call.ReadString(), call.ReadNullableString(), call.ReadInt32());
                            Serve(call, async cancellationToken =>
                            {
                                var page = await layer.GroupMembersAsync(group, cursor, pageSize, cancellationToken);
                                return frame =>
                                {
                                    frame.WriteInt32(page.Channels.Count);
                                    foreach (var channel in page.Channels)
                                    {
                                        frame.WriteString(channel);
                                    }

                                    frame.WriteString(page.NextCursor);
                                };
                            });
                            break;
                        }

                    case Operation.GroupHistory:
                        {
                            var layer = Layer();
                            var group = call.ReadString();
                            GroupPosition? since = call.ReadBoolean() ? call.ReadPosition() : null;
                            Serve(call, async cancellationToken =>
                            {
                                var history = await layer.GroupHistoryAsync(group, since, cancellationToken);
                                return frame =>
                                {
                                    frame.WriteInt32((int)history.Loss);
                                    frame.WritePosition(history.Position);
                                    frame.WriteInt32(history.Messages.Count);
                                    foreach (var message in history.Messages)
                                    {
                                        frame.WriteMessage(message);
                                    }
                                };
                            });
                            break;
                        }

                    case Operation.Flush:
                        {
                            var layer = Layer();
                            Serve(call, async cancellationToken =>
                            {
                                await layer.FlushAsync(cancellationToken);
                                return null;
                            });
                            break;
                        }

                    case Operation.Close:
                        {
                            var layer = Layer();
                            Serve(call, async _ =>
                            {
                                await layer.CloseAsync();
                                return null;
                            });
                            break;
                        }

                    case Operation.Attach:
                        {
                            // Synchronous and in order: the parent's next call already meets the forwarder.
                            var channel = call.ReadString();
                            var id = call.ReadInt64();
                            _attachments.Add(id, Layer().AttachForwarder(channel, new RemoteForwarder(_connection, id)));
                            _connection.Answer(call.Id, call.Operation, null);
                            break;
                        }

                    default:
                        throw new InvalidDataException($"The parent called {call.Operation}, which a layer host does not serve.");
                }
            }
            catch (Exception ex)
            {
                _connection.AnswerError(call.Id, call.Operation, ex);
            }
        }

        private ChannelLayer Layer() =>
            _layer ?? throw new InvalidOperationException($"The {Who} has no layer yet: the parent must call Create first.");

        private async Task<Action<FrameWriter>?> CreateAsync(ChannelLayerOptions options, CancellationToken cancellationToken)
        {
            if (_layer is not null)
            {
                throw new InvalidOperationException($"The {Who} already serves a layer; a host serves one.");
            }

            _metrics = new MetricRelay(_meters, _connection);
            var layer = await kind.Create(arguments, options, _clock!, _meters, cancellationToken);
            _layer = layer;
            layer.ConnectionChanged += (_, e) => _connection.Post(Operation.ConnectionChanged, frame =>
            {
                frame.WriteBoolean(e.IsConnected);
                frame.WriteString(e.Error?.Message);
            });
            Console.Error.WriteLine($"{Who}: serving a {layer.Name} layer.");
            return frame =>
            {
                frame.WriteString(layer.Name);
                frame.WriteInt32((int)layer.Capabilities);
                frame.WriteBoolean(layer.IsConnected);
            };
        }

        // Starts a call here, on the dispatcher; it answers when it ends, from wherever it ends.
        private void Serve(FrameReader call, Func<CancellationToken, Task<Action<FrameWriter>?>> work)
        {
            var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            _inFlight[call.Id] = cancel;
            Interlocked.Increment(ref _calls);
            Task<Action<FrameWriter>?> running;
            try
            {
                running = work(cancel.Token);
            }
            catch (Exception ex)
            {
                running = Task.FromException<Action<FrameWriter>?>(ex);
            }

            if (running.IsCompleted)
            {
                Finish(call, running, cancel);
            }
            else
            {
                running.ContinueWith((task, _) => Finish(call, task, cancel), null, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        private void Finish(FrameReader call, Task<Action<FrameWriter>?> task, CancellationTokenSource cancel)
        {
            _inFlight.TryRemove(call.Id, out _);
            cancel.Dispose();
            if (task.IsCompletedSuccessfully)
            {
                _connection.Answer(call.Id, call.Operation, task.Result);
            }
            else
            {
                var error = task.IsCanceled ? new OperationCanceledException() : task.Exception!.InnerException!;
                _connection.AnswerError(call.Id, call.Operation, error);
            }

            if (Interlocked.Decrement(ref _calls) == 0 && Volatile.Read(ref _draining))
            {
                _idle.TrySetResult();
            }
        }

        // The clock only moves forward, to the parent's time; timers that fall due fire here, on the dispatcher.
        private void FollowClock(long utcTicks)
        {
            var now = new DateTimeOffset(utcTicks, TimeSpan.Zero);
            if (_clock is null)
            {
                _clock = new ManualTimeProvider(now);
                return;
            }

            var by = now - _clock.GetUtcNow();
            if (by > TimeSpan.Zero)
            {
                _clock.Advance(by);
            }
        }
    }
}
