using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace Switchyard.Tests;

/// <summary>
/// Keeps the runtime free of reflection: scans the Switchyard assembly's metadata for every method it calls and fails
/// on any reflection API (System.Reflection members, Type.GetMethod and friends, Activator, dynamic invoke).
/// Dispatch and serialization are generated; nothing may fall back to looking things up at run time.
/// </summary>
public sealed class NoReflectionTests
{
    private static readonly HashSet<string> ForbiddenTypeMembers = new(StringComparer.Ordinal)
    {
        "System.Type.GetMethod", "System.Type.GetMethods", "System.Type.GetProperty", "System.Type.GetProperties",
        "System.Type.GetField", "System.Type.GetFields", "System.Type.GetConstructor", "System.Type.GetConstructors",
        "System.Type.GetMember", "System.Type.GetMembers", "System.Type.InvokeMember", "System.Type.MakeGenericType",
        "System.Type.GetType", "System.Type.GetInterfaces", "System.Activator.CreateInstance", "System.Delegate.DynamicInvoke",
        "System.Reflection.MethodBase.Invoke", "System.Reflection.MethodInfo.MakeGenericMethod",
    };

    // A type's name, for log events and exception messages, is metadata every AOT binary keeps; nothing is looked up by it.
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal)
    {
        "System.Reflection.MemberInfo.get_Name",
    };

    [Fact]
    public void The_runtime_calls_no_reflection_api()
    {
        var calls = CalledMembers(typeof(ChannelLayer).Assembly.Location);

        Assert.NotEmpty(calls);
        var reflective = calls
            .Where(call => !Allowed.Contains(call))
            .Where(call => ForbiddenTypeMembers.Contains(call) ||
                           (call.StartsWith("System.Reflection.", StringComparison.Ordinal) && !call.EndsWith("Attribute..ctor", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.True(reflective.Length == 0, "The runtime calls reflection APIs: " + string.Join(", ", reflective));
    }

    [Fact]
    public void The_scan_would_see_a_reflection_call()
    {
        // Guards the scanner itself: this test assembly calls Type.GetMethod, so scanning it must find that call.
        _ = typeof(NoReflectionTests).GetMethod(nameof(The_scan_would_see_a_reflection_call));
        Assert.Contains("System.Type.GetMethod", CalledMembers(typeof(NoReflectionTests).Assembly.Location));
    }

    // Every method or field an assembly references from other assemblies, as "Namespace.Type.Member".
    private static HashSet<string> CalledMembers(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in reader.MemberReferences)
        {
            var member = reader.GetMemberReference(handle);
            if (TypeName(reader, member.Parent) is { } type)
            {
                members.Add($"{type}.{reader.GetString(member.Name)}");
            }
        }

        return members;
    }

    private static string? TypeName(MetadataReader reader, EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeReference => Qualified(reader, reader.GetTypeReference((TypeReferenceHandle)handle)),
        HandleKind.TypeSpecification => GenericDefinition(reader, reader.GetTypeSpecification((TypeSpecificationHandle)handle)),
        _ => null,
    };

    private static string Qualified(MetadataReader reader, TypeReference type) =>
        $"{reader.GetString(type.Namespace)}.{reader.GetString(type.Name)}";

    // For a generic instantiation, the name of its definition (its first type reference in the blob).
    private static string? GenericDefinition(MetadataReader reader, TypeSpecification spec)
    {
        var blob = reader.GetBlobReader(spec.Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
        {
            return null;
        }

        blob.ReadSignatureTypeCode();
        var definition = blob.ReadTypeHandle();
        return definition.Kind == HandleKind.TypeReference ? Qualified(reader, reader.GetTypeReference((TypeReferenceHandle)definition)) : null;
    }
}
