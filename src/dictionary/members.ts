/**
 * Member sets of the header, trailer, messages, groups and components. `<field>`, `<group>` and
 * `<component>` references are read in order; components are flattened in place with QuickFIX's
 * rule: a member of a component is required only if the component reference is required and the
 * member is required in the component.
 */
import { below, type LoadContext, type Where } from './context.js';
import type { FieldTable } from './fields.js';
import type { ComponentDef, GroupDef, MemberSet } from './model.js';

/** Collects the fields and groups of one member set. */
class MemberSetBuilder {
  readonly fields = new Map<number, boolean>();
  readonly groups = new Map<number, GroupDef>();
  readonly order: number[] = [];

  /** Adds a field; a field seen before keeps its place and becomes required if either use is. */
  addField(tag: number, required: boolean): void {
    const seen = this.fields.get(tag);
    if (seen === undefined) {
      this.fields.set(tag, required);
      this.order.push(tag);
    } else if (required && !seen) {
      this.fields.set(tag, true);
    }
  }

  addGroup(group: GroupDef): void {
    this.addField(group.countTag, group.required);
    if (!this.groups.has(group.countTag)) this.groups.set(group.countTag, group);
  }

  /** Flattens a component in: its members, required only when the reference is required too. */
  addComponent(component: ComponentDef, required: boolean): void {
    for (const tag of component.order) {
      const group = component.groups.get(tag);
      if (group) this.addGroup(required || !group.required ? group : { ...group, required: false });
      else this.addField(tag, required && component.fields.get(tag) === true);
    }
  }

  build(): MemberSet {
    return { fields: this.fields, groups: this.groups, order: this.order };
  }
}

/** The `required` attribute: Y or N in either case; absent means N. */
export function requiredFlag(ctx: LoadContext, where: Where): boolean {
  const raw = where.el.attrs.required;
  if (raw === undefined) return false;
  const v = raw.trim().toUpperCase();
  if (v !== 'Y' && v !== 'N') ctx.fail(where, `required='${raw}' must be Y or N`);
  return v === 'Y';
}

/** Reads member lists, resolving component references (any depth, cycles refused). */
export class MemberReader {
  private readonly resolved = new Map<string, ComponentDef>();
  /** Components being resolved, outermost first, to report cycles. */
  private readonly resolving: string[] = [];

  /**
   * @param definitions `<component>` elements of the `<components>` section by name
   */
  constructor(
    private readonly ctx: LoadContext,
    private readonly fields: FieldTable,
    private readonly definitions: ReadonlyMap<string, Where>,
  ) {}

  /** The member set of a header, trailer or message element. */
  read(where: Where): MemberSet {
    const builder = new MemberSetBuilder();
    this.fill(builder, where);
    return builder.build();
  }

  /** The component of that name, resolved on first use. `ref` is the referencing element. */
  component(name: string, ref: Where): ComponentDef {
    const done = this.resolved.get(name);
    if (done) return done;
    const def = this.definitions.get(name);
    if (!def) this.ctx.fail(ref, `component '${name}' is not defined in <components>`);
    if (this.resolving.includes(name)) {
      this.ctx.fail(ref, `component cycle: ${[...this.resolving, name].join(' -> ')}`);
    }
    this.resolving.push(name);
    try {
      const component: ComponentDef = { name, ...this.read(def) };
      this.resolved.set(name, component);
      return component;
    } finally {
      this.resolving.pop();
    }
  }

  /** Components resolved so far, by name. */
  components(): ReadonlyMap<string, ComponentDef> {
    return this.resolved;
  }

  private fill(builder: MemberSetBuilder, parent: Where): void {
    for (const el of parent.el.children) {
      const where = below(parent, el);
      if (el.name === 'field') builder.addField(this.fieldTag(where), requiredFlag(this.ctx, where));
      else if (el.name === 'group') builder.addGroup(this.group(where));
      else if (el.name === 'component') builder.addComponent(this.component(this.nameOf(where), where), requiredFlag(this.ctx, where));
      else this.ctx.warn(where, `unexpected <${el.name}> ignored`);
    }
  }

  private nameOf(where: Where): string {
    const name = where.el.attrs.name?.trim();
    if (!name) this.ctx.fail(where, `<${where.el.name}> has no name attribute`);
    return name;
  }

  private fieldTag(where: Where): number {
    const name = this.nameOf(where);
    const def = this.fields.byName.get(name);
    if (!def) this.ctx.fail(where, `field '${name}' is not defined in <fields>`);
    return def.tag;
  }

  private group(where: Where): GroupDef {
    const countTag = this.fieldTag(where);
    const builder = new MemberSetBuilder();
    this.fill(builder, where);
    const body = builder.build();
    if (body.order.length === 0) this.ctx.fail(where, 'group has no members');
    return {
      countTag,
      name: this.nameOf(where),
      delimiter: body.order[0],
      required: requiredFlag(this.ctx, where),
      ...body,
    };
  }
}
