namespace Switchyard.Generators.Model;

/// <summary>One member of a message record: a primary-constructor parameter and the property it becomes.</summary>
/// <param name="Name">The property name (PascalCase as declared).</param>
/// <param name="JsonName">The JSON field name (camelCase, as System.Text.Json's camelCase policy).</param>
/// <param name="Type">The member's serializable shape.</param>
/// <param name="IsRequired">Whether reading JSON without this field is an error (not nullable and no default value).</param>
/// <param name="DefaultValue">The C# expression of the parameter's default value, used when JSON lacks the field; <see langword="null"/> without one.</param>
internal sealed record MemberSpec(string Name, string JsonName, TypeShape Type, bool IsRequired, string? DefaultValue);
