using Xunit;

namespace Switchyard.Package.Tests;

/// <summary>The tests that use the packed packages: they share one pack (<see cref="PackedFeed"/>) and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PackagesCollection : ICollectionFixture<PackedFeed>
{
    /// <summary>The collection's name, for <c>[Collection]</c>.</summary>
    public const string Name = "Packages";
}
