using Xunit;

namespace Switchyard.LiveBlog.Tests.Support;

/// <summary>
/// The tests that drive headless chromium run one after another (chromium is heavy; the live blog's test gives a post
/// 2 s to appear), while the other test classes still run alongside.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}
