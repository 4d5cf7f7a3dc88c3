import { DataSource, EntityMetadata, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DriverUtils } from 'typeorm/driver/DriverUtils';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

type Row = Record<string, unknown>;

/**
 * A SELECT that TypeORM's query builder writes once, at startup, and that then runs as plain
 * SQL. On a hot path the builder costs more than the statement: on SQLite a token lookup with
 * its user took 115 µs through `getOne()` and 30 µs this way ("Performance workarounds" in
 * docs/architecture.md has the figures and the script that measures them). Rows are turned
 * back into entities by the driver's own hydration, so dates and simple arrays come back as
 * the entity declares them on every engine.
 */
export class PrebuiltSelect {
  private readonly dataSource: DataSource;
  private readonly sql: string;
  /** Parameter names in the order of the statement's placeholders. */
  private readonly parameterOrder: string[];
  /** Per alias of the statement, each of its entity's columns with the name the row gives it. */
  private readonly columnsByAlias = new Map<string, Array<[string, ColumnMetadata]>>();

  constructor(builder: SelectQueryBuilder<ObjectLiteral>, parameterNames: string[]) {
    this.dataSource = builder.connection;
    // Each parameter's value is its own name, so the builder's output gives their order.
    builder.setParameters(Object.fromEntries(parameterNames.map((name) => [name, name])));
    const [sql, order] = builder.getQueryAndParameters();
    this.sql = sql;
    this.parameterOrder = order as string[];
    for (const alias of builder.expressionMap.aliases) {
      if (alias.hasMetadata) this.columnsByAlias.set(alias.name, this.columnsOf(alias.metadata, alias.name));
    }
  }

  async first(parameters: Record<string, unknown>): Promise<Row | undefined> {
    const rows: Row[] = await this.dataSource.query(
      this.sql,
      this.parameterOrder.map((name) => parameters[name]),
    );
    return rows[0];
  }

  /** The entity the statement selects under `alias`, from the columns the row holds, hydrated as TypeORM would. */
  entity<T extends ObjectLiteral>(alias: string, row: Row): T {
    const { driver } = this.dataSource;
    const entity: ObjectLiteral = {};
    for (const [key, column] of this.columnsByAlias.get(alias) ?? []) {
      if (key in row) entity[column.propertyName] = driver.prepareHydratedValue(row[key], column) as unknown;
    }
    return entity as T;
  }

  private columnsOf(metadata: EntityMetadata, alias: string): Array<[string, ColumnMetadata]> {
    return metadata.columns
      .filter((column) => !column.isVirtual)
      .map((column) => [DriverUtils.buildAlias(this.dataSource.driver, undefined, alias, column.databaseName), column]);
  }
}
