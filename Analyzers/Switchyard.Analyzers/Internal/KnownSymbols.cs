using Microsoft.CodeAnalysis;

namespace Switchyard.Analyzers.Internal;

/// <summary>The types the rules look for, resolved once per compilation; <see langword="null"/> when absent.</summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation)
    {
        Consumer = compilation.GetTypeByMetadataName("Switchyard.Consumer");
        ChannelLayer = compilation.GetTypeByMetadataName("Switchyard.ChannelLayer");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        SemaphoreSlim = compilation.GetTypeByMetadataName("System.Threading.SemaphoreSlim");
        Monitor = compilation.GetTypeByMetadataName("System.Threading.Monitor");
        ManualResetEventSlim = compilation.GetTypeByMetadataName("System.Threading.ManualResetEventSlim");
        WaitHandle = compilation.GetTypeByMetadataName("System.Threading.WaitHandle");
    }

    /// <summary>Gets <c>Switchyard.Consumer</c>: without it the compilation has no consumers and the rules are off.</summary>
    public INamedTypeSymbol? Consumer { get; }

    /// <summary>Gets <c>Switchyard.ChannelLayer</c>.</summary>
    public INamedTypeSymbol? ChannelLayer { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Thread { get; }

    public INamedTypeSymbol? SemaphoreSlim { get; }

    public INamedTypeSymbol? Monitor { get; }

    public INamedTypeSymbol? ManualResetEventSlim { get; }

    public INamedTypeSymbol? WaitHandle { get; }

    public static KnownSymbols? For(Compilation compilation)
    {
        var symbols = new KnownSymbols(compilation);
        return symbols.Consumer is null ? null : symbols;
    }

    /// <summary>Whether <paramref name="type"/> is Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt;.</summary>
    public bool IsTaskLike(ITypeSymbol? type) =>
        type is INamedTypeSymbol named
        && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, Task)
            || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, TaskOfT)
            || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ValueTask)
            || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, ValueTaskOfT)
            || IsTaskLike(named.BaseType));

    /// <summary>Whether <paramref name="type"/> is a consumer: it derives from <c>Switchyard.Consumer</c>.</summary>
    public bool IsConsumer(INamedTypeSymbol? type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, Consumer))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? expected) =>
        expected is not null && type is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, expected);

    /// <summary>Whether <paramref name="type"/> is <paramref name="expected"/> or derives from it.</summary>
    public static bool IsOrDerives(ITypeSymbol? type, INamedTypeSymbol? expected)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Is(current, expected))
            {
                return true;
            }
        }

        return false;
    }
}
