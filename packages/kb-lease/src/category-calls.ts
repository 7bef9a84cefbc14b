import { InvalidInputError } from '@x/transport';
import { checkId } from './check-id.js';
import type { ClientContext } from './client-context.js';
import {
  addCategoryDataSchema,
  type CategoryData,
  categoryIdDataSchema,
  listCategoryDataSchema,
} from './kb-lease-api.js';

/** Options of `addCategory`. */
export interface AddCategoryOptions {
  /** The category's name (at most 50 characters). */
  categoryName: string;
  /** The parent category. @default undefined (top level) */
  parentCategoryId?: string;
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** Options of `listCategories`. */
export interface ListCategoriesOptions {
  /** Only categories under this one. @default undefined (top level) */
  parentCategoryId?: string;
  /** Only categories with this name. @default undefined */
  categoryName?: string;
  /** Page size. @default 100 */
  maxResults?: number;
  /** Aborts the listing. */
  signal?: AbortSignal;
}

/** AddCategory: an UNSTRUCTURED category (spec §3.6). @internal */
export async function addCategory(
  context: ClientContext,
  options: AddCategoryOptions,
): Promise<{ categoryId: string; categoryName: string }> {
  const { categoryName, parentCategoryId, signal } = options;
  if (typeof categoryName !== 'string' || categoryName.trim() === '' || [...categoryName].length > 50) {
    throw new InvalidInputError(
      'INVALID_CATEGORY_NAME',
      `categoryName must be 1 to 50 characters, got ${JSON.stringify(categoryName)}`,
    );
  }
  const { data } = await context.call({
    action: 'AddCategory',
    method: 'POST',
    path: ['datacenter', 'category', ''],
    form: { CategoryName: categoryName, CategoryType: 'UNSTRUCTURED', ParentCategoryId: parentCategoryId },
    data: addCategoryDataSchema,
    signal,
  });
  return { categoryId: data.CategoryId, categoryName: data.CategoryName ?? categoryName };
}

/** ListCategory: a POST with a form body (spec §10.9), paged by `NextToken`. @internal */
export async function* listCategories(
  context: ClientContext,
  options: ListCategoriesOptions = {},
): AsyncGenerator<CategoryData> {
  const { parentCategoryId, categoryName, maxResults = 100, signal } = options;
  let nextToken: string | undefined;
  do {
    const { data } = await context.call({
      action: 'ListCategory',
      method: 'POST',
      path: ['datacenter', 'categories'],
      form: {
        CategoryName: categoryName,
        CategoryType: 'UNSTRUCTURED',
        MaxResults: maxResults,
        NextToken: nextToken,
        ParentCategoryId: parentCategoryId,
      },
      data: listCategoryDataSchema,
      idempotent: true,
      signal,
    });
    for (const category of data.CategoryList ?? []) yield category;
    const hasNext =
      data.HasNext === undefined || data.HasNext === null ? true : String(data.HasNext) === 'true';
    nextToken = hasNext ? data.NextToken || undefined : undefined;
  } while (nextToken);
}

/** DeleteCategory (spec §3.6). @internal */
export async function deleteCategory(
  context: ClientContext,
  categoryId: string,
  signal?: AbortSignal,
): Promise<void> {
  checkId('CategoryId', categoryId);
  await context.call({
    action: 'DeleteCategory',
    method: 'DELETE',
    path: ['datacenter', 'category', categoryId, ''],
    data: categoryIdDataSchema,
    signal,
  });
}
