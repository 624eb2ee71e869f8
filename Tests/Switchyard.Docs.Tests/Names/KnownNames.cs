using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Switchyard.Docs.Tests.Names;

/// <summary>
/// Every name a document may cite: the types, members and namespaces declared in the repository's C# sources (parsed,
/// so samples, tests and internals count), the public types and members of every assembly this process can load (the
/// .NET and ASP.NET Core shared frameworks and the packages the runtime uses, such as StackExchange.Redis), the
/// repository's project names and NuGet package ids, the MSBuild properties and items its project files use, the
/// types the TypeScript sources declare, and the names the shipped code uses as strings: log event names, logger and
/// diagnostic categories (a literal that ends with a dot, such as <c>"Switchyard.ChannelLayer."</c>, is a prefix the
/// code completes at run time).
/// </summary>
public sealed partial class KnownNames
{
    private readonly Dictionary<string, List<KnownType>> _types = new(StringComparer.Ordinal);
    private readonly HashSet<string> _members = new(StringComparer.Ordinal);
    private readonly HashSet<string> _extensionMethods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _namespaces = new(StringComparer.Ordinal);
    private readonly HashSet<string> _buildNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stringPrefixes = new(StringComparer.Ordinal);

    private KnownNames()
    {
    }

    /// <summary>The names of the repository at <paramref name="root"/> and of the assemblies this process can load.</summary>
    public static KnownNames Of(string root)
    {
        var names = new KnownNames();
        foreach (var file in RepositoryFiles(root, "*.cs"))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            names.AddSource(File.ReadAllText(file), shipped: ShippedFolders.Any(folder => relative.StartsWith(folder, StringComparison.Ordinal)));
        }

        foreach (var file in RepositoryFiles(root, "*.ts"))
        {
            foreach (Match declaration in TypeScriptDeclaration().Matches(File.ReadAllText(file)))
            {
                names.AddType(declaration.Groups[1].Value, []);
            }
        }

        foreach (var file in RepositoryFiles(root, "*.csproj").Concat(RepositoryFiles(root, "*.props")).Concat(RepositoryFiles(root, "*.targets")))
        {
            names.AddBuildFile(file);
        }

        var platform = (string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "";
        foreach (var path in platform.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            names.AddAssembly(path);
        }

        return names;
    }

    /// <summary>Whether a simple type name (without generic arguments) names a known type.</summary>
    public bool IsType(string name) => _types.ContainsKey(name);

    public bool IsNamespace(string name) => _namespaces.Contains(name);

    /// <summary>A project, a NuGet package id, or an MSBuild property or item name the repository's build uses.</summary>
    public bool IsBuildName(string name) => _buildNames.Contains(name);

    /// <summary>A name the shipped code uses as a string: a log event name, a logger or diagnostic category.</summary>
    public bool IsString(string name) =>
        _strings.Contains(name) || _stringPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Whether any known type has a member of this name.</summary>
    public bool IsMember(string name) => _members.Contains(name);

    /// <summary>Whether a type of this simple name has (itself, through its base types, or as an extension method) a member of that name.</summary>
    public bool HasMember(string type, string member)
    {
        if (_extensionMethods.Contains(member))
        {
            return true;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([type]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next) || !_types.TryGetValue(next, out var declared))
            {
                continue;
            }

            foreach (var known in declared)
            {
                if (known.Members.Contains(member))
                {
                    return true;
                }

                foreach (var baseType in known.BaseTypes)
                {
                    pending.Push(baseType);
                }
            }
        }

        return false;
    }

    // Where the code users get lives: only its string literals count as names (a test's literals could be anything).
    private static readonly string[] ShippedFolders = ["Runtime/", "Analyzers/", "Generators/", "Clients/"];

    private void AddSource(string source, bool shipped)
    {
        var root = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Preview)).GetRoot();
        foreach (var node in root.DescendantNodes())
        {
            switch (node)
            {
                case LiteralExpressionSyntax literal when shipped && literal.IsKind(SyntaxKind.StringLiteralExpression):
                    var text = literal.Token.ValueText;
                    if (text.EndsWith('.') && DocumentedNames.IsCodeName(text[..^1]))
                    {
                        _stringPrefixes.Add(text);
                    }
                    else if (DocumentedNames.IsCodeName(text))
                    {
                        _strings.Add(text);
                    }

                    break;
                case BaseNamespaceDeclarationSyntax ns:
                    AddNamespace(ns.Name.ToString());
                    break;
                case BaseTypeDeclarationSyntax type:
                    AddSourceType(type);
                    break;
                case DelegateDeclarationSyntax @delegate:
                    AddType(@delegate.Identifier.ValueText, []);
                    break;
            }
        }
    }

    private void AddSourceType(BaseTypeDeclarationSyntax type)
    {
        var baseTypes = type.BaseList?.Types.Select(t => SimpleName(t.Type)).ToArray() ?? [];
        var members = AddType(type.Identifier.ValueText, baseTypes);
        if (type is TypeDeclarationSyntax { ParameterList: { } primary })
        {
            foreach (var parameter in primary.Parameters)
            {
                AddMember(members, parameter.Identifier.ValueText);
            }
        }

        if (type is EnumDeclarationSyntax @enum)
        {
            foreach (var value in @enum.Members)
            {
                AddMember(members, value.Identifier.ValueText);
            }

            return;
        }

        foreach (var member in ((TypeDeclarationSyntax)type).Members)
        {
            switch (member)
            {
                case MethodDeclarationSyntax method:
                    AddMember(members, method.Identifier.ValueText);
                    if (method.ParameterList.Parameters.FirstOrDefault()?.Modifiers.Any(SyntaxKind.ThisKeyword) == true)
                    {
                        _extensionMethods.Add(method.Identifier.ValueText);
                    }

                    break;
                case PropertyDeclarationSyntax property:
                    AddMember(members, property.Identifier.ValueText);
                    break;
                case EventDeclarationSyntax @event:
                    AddMember(members, @event.Identifier.ValueText);
                    break;
                case BaseFieldDeclarationSyntax field:
                    foreach (var variable in field.Declaration.Variables)
                    {
                        AddMember(members, variable.Identifier.ValueText);
                    }

                    break;
                case BaseTypeDeclarationSyntax nested:
                    AddMember(members, nested.Identifier.ValueText);
                    break;
            }
        }
    }

    private static string SimpleName(TypeSyntax type) => type switch
    {
        QualifiedNameSyntax qualified => SimpleName(qualified.Right),
        GenericNameSyntax generic => generic.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => type.ToString(),
    };

    private void AddAssembly(string path)
    {
        Type[] exported;
        try
        {
            exported = Assembly.Load(AssemblyName.GetAssemblyName(path)).GetExportedTypes();
        }
        catch (Exception e) when (e is BadImageFormatException or FileNotFoundException or FileLoadException or ReflectionTypeLoadException or NotSupportedException)
        {
            return; // a native image or an assembly whose dependencies this process lacks: its names cannot be cited
        }

        foreach (var type in exported)
        {
            if (type.Namespace is { } ns)
            {
                AddNamespace(ns);
            }

            var name = type.Name.Split('`')[0];
            var baseTypes = type.GetInterfaces().Select(i => i.Name.Split('`')[0]);
            if (type.BaseType is { } baseType)
            {
                baseTypes = baseTypes.Append(baseType.Name.Split('`')[0]);
            }

            var members = AddType(name, [.. baseTypes]);
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                AddMember(members, member.Name);
                if (member is MethodInfo { IsStatic: true } method && method.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute), false))
                {
                    _extensionMethods.Add(method.Name);
                }
            }
        }
    }

    private void AddBuildFile(string path)
    {
        _buildNames.Add(Path.GetFileNameWithoutExtension(path));
        var text = File.ReadAllText(path);
        foreach (Match element in BuildElement().Matches(text))
        {
            _buildNames.Add(element.Groups[1].Value);
        }

        foreach (Match package in PackageId().Matches(text))
        {
            _buildNames.Add(package.Groups[1].Value);
        }
    }

    private HashSet<string> AddType(string name, string[] baseTypes)
    {
        var known = new KnownType(new HashSet<string>(StringComparer.Ordinal), baseTypes);
        if (!_types.TryGetValue(name, out var list))
        {
            _types[name] = list = [];
        }

        list.Add(known);
        return known.Members;
    }

    private void AddMember(HashSet<string> members, string name)
    {
        members.Add(name);
        _members.Add(name);
    }

    private void AddNamespace(string name)
    {
        for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = name.IndexOf('.', dot + 1))
        {
            _namespaces.Add(name[..dot]);
        }

        _namespaces.Add(name);
    }

    private static IEnumerable<string> RepositoryFiles(string root, string pattern) =>
        Directory.EnumerateFiles(root, pattern, SearchOption.AllDirectories).Where(path =>
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            return !relative.Split('/').Any(part => part is "bin" or "obj" or "node_modules" or ".git");
        });

    [GeneratedRegex(@"^\s*(?:export\s+)?(?:declare\s+)?(?:abstract\s+)?(?:class|interface|type|enum|function)\s+([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Multiline)]
    private static partial Regex TypeScriptDeclaration();

    [GeneratedRegex(@"<([A-Z][A-Za-z0-9_]*)[\s>/]")]
    private static partial Regex BuildElement();

    [GeneratedRegex(@"<Package(?:Version|Reference)\s+Include=""([^""]+)""")]
    private static partial Regex PackageId();

    private sealed record KnownType(HashSet<string> Members, string[] BaseTypes);
}
